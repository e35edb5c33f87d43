// Circular doubly linked lists, mirroring include/linux/list.h and the
// container_of() of include/linux/container_of.h (Linux 6.1). Names, argument
// order and semantics are Linux's.
//
// Where we differ:
// - container_of() is offsetof() arithmetic without Linux's type check
//   (static_assert on __same_type); C++ has no typeof-based check that works for
//   every member type, and offsetof needs a standard-layout type (struct page
//   and the other kernel structs here are).
// - No WRITE_ONCE()/READ_ONCE(): the lists are used before there is a second CPU.
// - No hlist, list_sort, or the RCU variants.
#pragma once

#include <stddef.h>

#include "lib/types.h"

/*
 * container_of(ptr, type, member): given @ptr, the address of field @member
 * inside some @type object, step back by that field's offset to get the
 * enclosing @type object.
 */
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

struct list_head {
	struct list_head *next, *prev;
};

/*
 * The values list_del() leaves in a deleted entry (include/linux/poison.h with
 * x86-64's CONFIG_ILLEGAL_POINTER_VALUE): non-canonical, so using a deleted
 * entry faults at once in the app.
 */
#define POISON_POINTER_DELTA	0xdead000000000000UL
#define LIST_POISON1		((struct list_head *)(0x100 + POISON_POINTER_DELTA))
#define LIST_POISON2		((struct list_head *)(0x122 + POISON_POINTER_DELTA))

#define LIST_HEAD_INIT(name) { &(name), &(name) }
#define LIST_HEAD(name) struct list_head name = LIST_HEAD_INIT(name)

/* Make @list an empty list: both links refer back to the head itself. */
static inline void INIT_LIST_HEAD(struct list_head *list)
{
	list->next = list;
	list->prev = list;
}

/* Link @entry in between @prev and @next, which must already be neighbours. */
static inline void __list_add(struct list_head *entry, struct list_head *prev,
			      struct list_head *next)
{
	next->prev = entry;
	entry->next = next;
	entry->prev = prev;
	prev->next = entry;
}

/* Push @entry right behind @head (LIFO use). */
static inline void list_add(struct list_head *entry, struct list_head *head)
{
	__list_add(entry, head, head->next);
}

/* Append @entry at the end, just before @head (FIFO use). */
static inline void list_add_tail(struct list_head *entry, struct list_head *head)
{
	__list_add(entry, head->prev, head);
}

/* Join @prev and @next directly, unlinking whatever sat between them. */
static inline void __list_del(struct list_head *prev, struct list_head *next)
{
	next->prev = prev;
	prev->next = next;
}

static inline void __list_del_entry(struct list_head *entry)
{
	__list_del(entry->prev, entry->next);
}

/* Unlink @entry; its links get LIST_POISON values, so it is not an empty list afterwards. */
static inline void list_del(struct list_head *entry)
{
	__list_del_entry(entry);
	entry->next = LIST_POISON1;
	entry->prev = LIST_POISON2;
}

/* Unlink @entry and make it an empty list of its own, so list_empty() holds. */
static inline void list_del_init(struct list_head *entry)
{
	__list_del_entry(entry);
	INIT_LIST_HEAD(entry);
}

/* Put @repl where @old is, in @old's list; @old's own links are left as they were. */
static inline void list_replace(struct list_head *old, struct list_head *repl)
{
	repl->next = old->next;
	repl->next->prev = repl;
	repl->prev = old->prev;
	repl->prev->next = repl;
}

/*
 * list_swap(): @a takes @b's place and @b takes @a's, in the same list or in
 * two lists. Neighbours are handled: when @a is right before @b, @b ends up
 * right before @a.
 */
static inline void list_swap(struct list_head *a, struct list_head *b)
{
	struct list_head *after = b->prev;	/* @a goes back in behind this */

	__list_del_entry(b);
	list_replace(a, b);
	if (after == a)
		after = b;
	list_add(a, after);
}

/* Unlink @list from wherever it is and put it at the front of @head. */
static inline void list_move(struct list_head *list, struct list_head *head)
{
	__list_del_entry(list);
	list_add(list, head);
}

/* Unlink @list from wherever it is and put it at the back of @head. */
static inline void list_move_tail(struct list_head *list, struct list_head *head)
{
	__list_del_entry(list);
	list_add_tail(list, head);
}

static inline int list_is_first(const struct list_head *list, const struct list_head *head)
{
	return list->prev == head;
}

static inline int list_is_last(const struct list_head *list, const struct list_head *head)
{
	return list->next == head;
}

static inline int list_is_head(const struct list_head *list, const struct list_head *head)
{
	return list == head;
}

static inline int list_empty(const struct list_head *head)
{
	return head->next == head;
}

static inline int list_is_singular(const struct list_head *head)
{
	return !list_empty(head) && (head->next == head->prev);
}

/* The object that embeds list_head @ptr. */
#define list_entry(ptr, type, member) container_of(ptr, type, member)

/* Objects at the front / back; only valid on a non-empty list. */
#define list_first_entry(ptr, type, member) list_entry((ptr)->next, type, member)
#define list_last_entry(ptr, type, member) list_entry((ptr)->prev, type, member)

/* Front object, or NULL for an empty list. */
#define list_first_entry_or_null(ptr, type, member) \
	(!list_empty(ptr) ? list_first_entry(ptr, type, member) : NULL)

/* Neighbouring objects of @pos (GNU __typeof__ yields the non-reference type). */
#define list_next_entry(pos, member) \
	list_entry((pos)->member.next, __typeof__(*(pos)), member)
#define list_prev_entry(pos, member) \
	list_entry((pos)->member.prev, __typeof__(*(pos)), member)

/* True once iteration with @pos has wrapped back to @head. */
#define list_entry_is_head(pos, head, member) (&(pos)->member == (head))

#define list_for_each(pos, head) \
	for (pos = (head)->next; !list_is_head(pos, (head)); pos = pos->next)

/* @n caches the successor, so the loop body may unlink @pos. */
#define list_for_each_safe(pos, n, head) \
	for (pos = (head)->next, n = pos->next; !list_is_head(pos, (head)); \
	     pos = n, n = pos->next)

#define list_for_each_entry(pos, head, member)				\
	for (pos = list_first_entry(head, __typeof__(*(pos)), member);	\
	     !list_entry_is_head(pos, head, member);			\
	     pos = list_next_entry(pos, member))

#define list_for_each_entry_reverse(pos, head, member)			\
	for (pos = list_last_entry(head, __typeof__(*(pos)), member);	\
	     !list_entry_is_head(pos, head, member);			\
	     pos = list_prev_entry(pos, member))

/* @n caches the successor, so the loop body may unlink @pos. */
#define list_for_each_entry_safe(pos, n, head, member)			\
	for (pos = list_first_entry(head, __typeof__(*(pos)), member),	\
	     n = list_next_entry(pos, member);				\
	     !list_entry_is_head(pos, head, member);			\
	     pos = n, n = list_next_entry(n, member))
