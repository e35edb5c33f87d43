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
 * container_of - cast a member of a structure out to the containing structure
 * @ptr:	the pointer to the member.
 * @type:	the type of the container struct this is embedded in.
 * @member:	the name of the member within the struct.
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

/* Initialize a list_head structure: an empty list points to itself. */
static inline void INIT_LIST_HEAD(struct list_head *list)
{
	list->next = list;
	list->prev = list;
}

/* Insert @entry between two known consecutive entries. */
static inline void __list_add(struct list_head *entry, struct list_head *prev,
			      struct list_head *next)
{
	next->prev = entry;
	entry->next = next;
	entry->prev = prev;
	prev->next = entry;
}

/* Add @entry after @head (a stack). */
static inline void list_add(struct list_head *entry, struct list_head *head)
{
	__list_add(entry, head, head->next);
}

/* Add @entry before @head, i.e. at the tail (a queue). */
static inline void list_add_tail(struct list_head *entry, struct list_head *head)
{
	__list_add(entry, head->prev, head);
}

/* Make prev and next point to each other (the entry between them is dropped). */
static inline void __list_del(struct list_head *prev, struct list_head *next)
{
	next->prev = prev;
	prev->next = next;
}

static inline void __list_del_entry(struct list_head *entry)
{
	__list_del(entry->prev, entry->next);
}

/* Delete @entry from its list; the entry is left poisoned, not empty. */
static inline void list_del(struct list_head *entry)
{
	__list_del_entry(entry);
	entry->next = LIST_POISON1;
	entry->prev = LIST_POISON2;
}

/* Delete @entry from its list and reinitialize it (list_empty() is then true). */
static inline void list_del_init(struct list_head *entry)
{
	__list_del_entry(entry);
	INIT_LIST_HEAD(entry);
}

/* Delete @list from one list and add it as @head's first entry. */
static inline void list_move(struct list_head *list, struct list_head *head)
{
	__list_del_entry(list);
	list_add(list, head);
}

/* Delete @list from one list and add it as @head's last entry. */
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

/* The struct for this entry. */
#define list_entry(ptr, type, member) container_of(ptr, type, member)

/* The first / last element of a list, which must not be empty. */
#define list_first_entry(ptr, type, member) list_entry((ptr)->next, type, member)
#define list_last_entry(ptr, type, member) list_entry((ptr)->prev, type, member)

/* The first element, or NULL if the list is empty. */
#define list_first_entry_or_null(ptr, type, member) \
	(!list_empty(ptr) ? list_first_entry(ptr, type, member) : NULL)

/* The next / previous element (GNU __typeof__ yields the non-reference type). */
#define list_next_entry(pos, member) \
	list_entry((pos)->member.next, __typeof__(*(pos)), member)
#define list_prev_entry(pos, member) \
	list_entry((pos)->member.prev, __typeof__(*(pos)), member)

/* Has @pos (an entry) come round to the head? */
#define list_entry_is_head(pos, head, member) (&(pos)->member == (head))

#define list_for_each(pos, head) \
	for (pos = (head)->next; !list_is_head(pos, (head)); pos = pos->next)

/* Safe against removal of @pos: @n holds the next entry. */
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

/* Safe against removal of @pos: @n holds the next entry. */
#define list_for_each_entry_safe(pos, n, head, member)			\
	for (pos = list_first_entry(head, __typeof__(*(pos)), member),	\
	     n = list_next_entry(pos, member);				\
	     !list_entry_is_head(pos, head, member);			\
	     pos = n, n = list_next_entry(n, member))
