package data

import "slices"

// SyncOrder lists the synced tables, parents first.
func SyncOrder() []string { return slices.Clone(syncOrder) }

// SyncKey is a synced table's key columns.
func SyncKey(entity string) []string { return keyColumns(entity) }

// SyncLocalColumns are a synced table's columns that are each desk's own.
func SyncLocalColumns(entity string) []string { return slices.Clone(syncEntities[entity].local) }
