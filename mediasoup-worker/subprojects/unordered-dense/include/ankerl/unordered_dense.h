// Stand-in for martinus/unordered_dense (header-only; in neither Debian
// bookworm nor the npm registry). ankerl's map and set are open-addressing
// ("flat") tables; Debian's abseil (libabsl-dev, already a dependency of the
// worker's libwebrtc) has the same kind, absl::flat_hash_map/set, with the same
// rules: no pointer or iterator stability across inserts. The std node-based
// containers would serve too, but cost a heap node per element plus a bucket
// array (about 150 bytes for a map of one element, and a consumer has four).
//
// The only interface difference the worker relies on: ankerl's erase(iterator)
// returns the next iterator, absl's returns void (it does not invalidate other
// iterators, so the next one is taken before erasing).
#ifndef MS_COMPAT_ANKERL_UNORDERED_DENSE_H
#define MS_COMPAT_ANKERL_UNORDERED_DENSE_H

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>
#include <absl/hash/hash.h>
#include <functional>
#include <iterator>
#include <memory>
#include <utility>

namespace ankerl::unordered_dense
{
	template<class T>
	struct hash : absl::Hash<T>
	{
	};

	namespace detail
	{
		// An abseil table whose erase(iterator) returns the next iterator, as
		// ankerl's does. Erasing does not move other elements in abseil's tables,
		// so the next iterator, taken first, stays valid.
		template<class Table>
		class WithIteratorErase : public Table
		{
		public:
			using Table::Table;
			using Table::erase;

			typename Table::iterator erase(typename Table::iterator it)
			{
				auto next = std::next(it);
				Table::erase(it);
				return next;
			}
		};
	} // namespace detail

	template<
	  class Key,
	  class T,
	  class Hash      = hash<Key>,
	  class KeyEqual  = std::equal_to<Key>,
	  class Allocator = std::allocator<std::pair<const Key, T>>>
	using map = detail::WithIteratorErase<absl::flat_hash_map<Key, T, Hash, KeyEqual, Allocator>>;

	template<class Key, class Hash = hash<Key>, class KeyEqual = std::equal_to<Key>, class Allocator = std::allocator<Key>>
	using set = detail::WithIteratorErase<absl::flat_hash_set<Key, Hash, KeyEqual, Allocator>>;
} // namespace ankerl::unordered_dense

#endif
