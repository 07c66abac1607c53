// Stand-in for martinus/unordered_dense (header-only; in neither Debian
// bookworm nor the npm registry). The worker only uses map, set and hash with
// the standard container interface, so the std containers serve: slower
// lookups than the real flat maps, same behaviour.
#ifndef MS_COMPAT_ANKERL_UNORDERED_DENSE_H
#define MS_COMPAT_ANKERL_UNORDERED_DENSE_H

#include <functional>
#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace ankerl::unordered_dense
{
	template<class T>
	struct hash : std::hash<T>
	{
	};

	template<
	  class Key,
	  class T,
	  class Hash      = hash<Key>,
	  class KeyEqual  = std::equal_to<Key>,
	  class Allocator = std::allocator<std::pair<const Key, T>>>
	using map = std::unordered_map<Key, T, Hash, KeyEqual, Allocator>;

	template<class Key, class Hash = hash<Key>, class KeyEqual = std::equal_to<Key>, class Allocator = std::allocator<Key>>
	using set = std::unordered_set<Key, Hash, KeyEqual, Allocator>;
} // namespace ankerl::unordered_dense

#endif
