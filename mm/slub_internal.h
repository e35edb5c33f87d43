// What mm/slub.cpp and mm/slab_common.cpp share, as Linux's mm/slab.h (the
// internal one) does for mm/slub.c and mm/slab_common.c. Not for other users.
#pragma once

#include "mm/page_alloc.h" // init_on_alloc, init_on_free
#include "mm/page_flags.h"
#include "mm/slab.h"

/* struct slabinfo (mm/slab.h): the numbers of one /proc/slabinfo line. */
struct slabinfo {
	unsigned long active_objs;
	unsigned long num_objs;
	unsigned long active_slabs;
	unsigned long num_slabs;
	unsigned int objects_per_slab;
	unsigned int cache_order;
};

/*
 * slab_want_init_on_alloc() and slab_want_init_on_free() (mm/slab.h): with
 * init_on_alloc or init_on_free (mm/page_alloc.h), objects are cleared too,
 * but for a cache with a constructor (its objects keep what the constructor
 * made) and, on allocation, a cache that poisons or is SLAB_TYPESAFE_BY_RCU
 * unless __GFP_ZERO asks (on free they are never cleared).
 */
static inline bool slab_want_init_on_alloc(gfp_t flags, const struct kmem_cache *c)
{
	if (unlikely(init_on_alloc)) {
		if (c->ctor)
			return false;
		if (c->flags & (SLAB_TYPESAFE_BY_RCU | SLAB_POISON))
			return flags & __GFP_ZERO;
		return true;
	}
	return flags & __GFP_ZERO;
}

static inline bool slab_want_init_on_free(const struct kmem_cache *c)
{
	if (unlikely(init_on_free))
		return !(c->ctor || (c->flags & (SLAB_TYPESAFE_BY_RCU | SLAB_POISON)));
	return false;
}

/* mm/slub.cpp */
int __kmem_cache_create(struct kmem_cache *s, slab_flags_t flags);
int __kmem_cache_shrink(struct kmem_cache *s);
int __kmem_cache_shutdown(struct kmem_cache *s);
void *__kmem_cache_alloc_node(struct kmem_cache *s, gfp_t gfpflags, int node, unsigned long caller);
void __kmem_cache_free(struct kmem_cache *s, struct page *slab, void *x, unsigned long caller);
int kmem_cache_init_slub(void);
/* bootstrap_kmalloc_sheaves(): sheaves for the KMALLOC_NORMAL caches, once all kmalloc caches exist. */
int bootstrap_kmalloc_sheaves(void);
/* init_freelist_randomization(): random_seq for every cache made so far (kmalloc works now). */
int init_freelist_randomization(void);
bool slab_is_boot_cache(const struct kmem_cache *s);
void get_slabinfo(struct kmem_cache *s, struct slabinfo *sinfo);
unsigned int slab_cache_order(const struct kmem_cache *s);
unsigned int slab_cache_objects(const struct kmem_cache *s);
unsigned int slub_max_order_value(void);
unsigned int slub_min_order_value(void);
unsigned int slub_min_objects_value(void);
void slub_reset(void);
void slab_count_errors(void);
const char *slab_state_name(enum slab_state st);
int slab_validate(struct kmem_cache *s, struct page *slab, unsigned long *free_out);

/* mm/slab_common.cpp */
/* cache_random_seq_create(): @count object indexes in a random order, in s->random_seq. */
int cache_random_seq_create(struct kmem_cache *s, unsigned int count, gfp_t gfp);
void cache_random_seq_destroy(struct kmem_cache *s);
slab_flags_t kmem_cache_flags(unsigned int object_size, slab_flags_t flags, const char *name);
unsigned int calculate_alignment(slab_flags_t flags, unsigned int align, unsigned int size);
void strncpy_name(struct kmem_cache *s, const char *name);
/* create_boot_cache(): a cache whose struct kmem_cache the caller provides (static or slab). */
int create_boot_cache(struct kmem_cache *s, const char *name, unsigned int size, slab_flags_t flags,
		      unsigned int useroffset, unsigned int usersize);

/* kmalloc's pieces in mm/slab_common.cpp that the fast paths in mm/slub.cpp call. */
extern u8 size_index[24];
void *__kmalloc_large_node(size_t size, gfp_t flags, int node);
struct page *kmalloc_head_page(const void *object, const char *func);
bool is_large_kmalloc(struct page *page, const void *object, const char *func);
void free_large_kmalloc(struct page *page, void *object);
