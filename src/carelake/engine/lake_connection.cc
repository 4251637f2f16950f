#include "carelake/engine/lake_connection.h"

namespace carelake::engine {

namespace {

Result<Connection> SetUp(Result<Connection> conn) {
  if (!conn.ok()) return conn;
  CARELAKE_RETURN_IF_ERROR(conn->Execute("SET TimeZone = 'UTC'"));
  return conn;
}

}  // namespace

Result<Connection> OpenLakeConnection(Database& db) { return SetUp(Connection::Open(db)); }

Result<Connection> OpenLakeConnection(const Connection& sibling) {
  return SetUp(sibling.OpenAnother());
}

}  // namespace carelake::engine
