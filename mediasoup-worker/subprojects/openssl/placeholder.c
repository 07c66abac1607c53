/* Empty translation unit for a placeholder static library. */
extern int ms_placeholder_openssl;
