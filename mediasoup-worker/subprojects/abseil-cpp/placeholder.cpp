// Empty translation unit for a placeholder static library.
namespace ms_placeholder {}
