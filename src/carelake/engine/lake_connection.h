// The one way to open a connection that reads and writes the lake: its
// session time zone is UTC, so TIMESTAMP WITH TIME ZONE values read, print
// and compare as Delta stores them (UTC instants), whatever the machine's
// zone is.
#ifndef CARELAKE_ENGINE_LAKE_CONNECTION_H_
#define CARELAKE_ENGINE_LAKE_CONNECTION_H_

#include "carelake/base/result.h"
#include "carelake/engine/connection.h"
#include "carelake/engine/database.h"

namespace carelake::engine {

// A new connection to `db` (which must outlive it), set up for the lake.
Result<Connection> OpenLakeConnection(Database& db);
// A new connection to the database of `sibling`, set up for the lake (for
// work on another thread).
Result<Connection> OpenLakeConnection(const Connection& sibling);

}  // namespace carelake::engine

#endif  // CARELAKE_ENGINE_LAKE_CONNECTION_H_
