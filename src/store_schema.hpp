// Private to the store (src/store*.cpp), not installed: the schema of a
// calmkit store and its migrations (src/store_schema.cpp).
#pragma once

#include "store_sqlite.hpp"

namespace calmkit::detail {

/// Checks what kind of file this is. Returns its schema version (0 = a new,
/// empty database); throws std::runtime_error for an SQLite file that is not
/// a calmkit store, or one newer than this calmkit reads.
int check_identity(Impl& impl);

/// Creates the schema in a new file or migrates an old one, in one
/// transaction: on any failure the file is left as it was.
void create_or_migrate(Impl& impl);

/// Registers the SQL functions the 1 -> 2 migration calls on the connection.
void register_migration_functions(Impl& impl);

}  // namespace calmkit::detail
