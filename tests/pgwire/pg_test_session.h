// A small project run once (silver.visits with a key and the corpus's
// types, gold.by_flag with a key) and an untrusted query::Session on it
// with the PostgreSQL catalog installed; statements run as the pgwire
// server will run them: PgCatalog::Translate, then Session::Execute. Results
// come back as PostgreSQL would print them in text format.
#ifndef CARELAKE_TESTS_PGWIRE_PG_TEST_SESSION_H_
#define CARELAKE_TESTS_PGWIRE_PG_TEST_SESSION_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "../delta/lake_test.h"
#include "carelake/pgwire/pg_catalog.h"
#include "carelake/query/session.h"
#include "corpus.h"

namespace carelake::pgwire {

// A value in PostgreSQL's text format (bool t/f, arrays {a,b}, timestamps
// with +00): enough for checking catalog answers; the real encoder is
// pgwire/value_codec.h.
std::optional<std::string> PgText(const engine::Value& value);

class PgSessionTest : public delta::LakeTest {
 protected:
  void SetUp() override;

  // Opens an untrusted session with the catalog installed.
  void OpenSession();
  // Runs `pg_sql` (translated) and returns each statement's result.
  Result<std::vector<corpus::StatementResult>> Run(const std::string& pg_sql);
  // The single result of `pg_sql`; fails the test on error.
  corpus::StatementResult RunOne(const std::string& pg_sql);

  std::unique_ptr<query::Session> session_;
  std::optional<PgCatalog> catalog_;
};

}  // namespace carelake::pgwire

#endif  // CARELAKE_TESTS_PGWIRE_PG_TEST_SESSION_H_
