// The emulated PostgreSQL catalog on an untrusted session.
#include "carelake/pgwire/pg_catalog.h"

#include <gtest/gtest.h>

#include "pg_test_session.h"

namespace carelake::pgwire {
namespace {

class PgCatalogTest : public PgSessionTest {};

TEST_F(PgCatalogTest, Smoke) {
  auto r = RunOne("SELECT relname FROM pg_catalog.pg_class ORDER BY 1");
  EXPECT_FALSE(r.rows.empty());
}

}  // namespace
}  // namespace carelake::pgwire
