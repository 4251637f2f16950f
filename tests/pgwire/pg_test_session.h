// A small project run once (silver.visits with a key and the corpus's
// types, gold.by_flag with a key) and an untrusted query::Session on it
// with the PostgreSQL catalog installed; statements run as the pgwire
// server will run them: PgCatalog::Translate, then Session::Execute. Results
// come back in text format, as the server's encoder writes them
// (value_codec.h).
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

// silver.visits covers the types the corpora ask for; gold.by_flag is a
// model with a declared key.
inline constexpr char kCorpusProject[] = R"yaml(name: clinic
sources:
  - name: visits
    format: csv
    path: landing/*.csv
silver:
  - name: visits
    from: bronze.visits
    key: [id]
    columns:
      - {name: id, type: BIGINT}
      - {name: name, type: VARCHAR}
      - {name: amount, type: "DECIMAL(12,2)"}
      - {name: at, type: TIMESTAMPTZ}
      - {name: d, type: DATE}
      - {name: flag, type: BOOLEAN}
      - {name: score, type: DOUBLE}
models:
  - name: by_flag
    materialized: incremental
    strategy: merge
    key: [flag]
)yaml";

inline constexpr char kCorpusRows[] = R"(id,name,amount,at,d,flag,score
1,alpha,12.34,2024-01-02 03:04:05+00,2024-01-02,true,1.5
2,beta,0.50,2024-02-03 00:00:00+00,2024-02-03,false,2.25
3,gamma,,2024-03-04 10:00:00+00,2024-03-04,true,
4,delta,99.99,2024-04-05 12:00:00+00,2024-04-05,false,-1
)";

inline constexpr char kCorpusModel[] =
    "SELECT flag, count(*) AS visits, sum(amount) AS amount FROM silver.visits GROUP BY flag\n";

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
