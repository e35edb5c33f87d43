// The node and zone walks of mm/mmzone.h, mirroring Linux's mm/mmzone.c
// (first_online_pgdat(), next_online_pgdat(), next_zone()).
//
// Where we differ: first_online_pgdat() returns NULL when no node is online
// (Linux reads NODE_DATA(first_online_node), there is always one).
#include "mm/mmzone.h"

#include "mm/numa.h"

pg_data_t *first_online_pgdat(void)
{
	int nid = first_online_node();

	if (nid >= MAX_NUMNODES)
		return nullptr;
	return NODE_DATA(nid);
}

pg_data_t *next_online_pgdat(pg_data_t *pgdat)
{
	/* next_node() here is "at or after": start one past this node. */
	int nid = next_node(pgdat->node_id + 1, node_online_map);

	if (nid >= MAX_NUMNODES)
		return nullptr;
	return NODE_DATA(nid);
}

struct zone *next_zone(struct zone *zone)
{
	pg_data_t *pgdat = zone->zone_pgdat;

	if (zone < pgdat->node_zones + MAX_NR_ZONES - 1)
		return zone + 1;
	pgdat = next_online_pgdat(pgdat);
	return pgdat ? pgdat->node_zones : nullptr;
}
