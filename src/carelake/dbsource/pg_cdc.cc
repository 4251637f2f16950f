#include "carelake/dbsource/pg_cdc.h"

#include <set>

#include "carelake/base/format.h"
#include "carelake/base/status.h"

namespace carelake::dbsource {
namespace {

// bytea's hex output ("\x0a0b…") as bytes.
std::optional<std::string> FromByteaHex(const std::string& text) {
  if (text.size() < 2 || text[0] != '\\' || text[1] != 'x' || text.size() % 2 != 0) {
    return std::nullopt;
  }
  std::string out;
  out.reserve(text.size() / 2 - 1);
  for (size_t i = 2; i < text.size(); i += 2) {
    int hi = HexDigitValue(text[i]), lo = HexDigitValue(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

// The URL with replication=database added (a libpq URI or key=value string).
std::string ReplicationUrl(const std::string& url) {
  if (url.find("://") == std::string::npos) return url + " replication=database";
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "replication=database";
}

}  // namespace

Result<std::unique_ptr<PgChangeFeed>> PgChangeFeed::Open(const ConnectOptions& options,
                                                         std::string slot,
                                                         std::string publication) {
  CARELAKE_ASSIGN_OR_RETURN(
      std::unique_ptr<PgClient> client,
      PgClient::Connect(options.url, options.password, options.connect_timeout_s));
  return std::unique_ptr<PgChangeFeed>(
      new PgChangeFeed(options, std::move(slot), std::move(publication), std::move(client)));
}

Result<std::optional<uint64_t>> PgChangeFeed::SlotPosition() {
  CARELAKE_ASSIGN_OR_RETURN(
      Rows rows,
      client_->Query("SELECT confirmed_flush_lsn::text, plugin FROM pg_replication_slots "
                     "WHERE slot_name = " +
                     client_->Literal(slot_)));
  if (rows.empty()) return std::optional<uint64_t>();
  if (!rows[0][1] || *rows[0][1] != "pgoutput") {
    return FailedPrecondition("replication slot " + slot_ + " exists but does not use pgoutput");
  }
  if (!rows[0][0]) return FailedPrecondition("replication slot " + slot_ + " is not logical");
  std::optional<uint64_t> lsn = ParseLsn(*rows[0][0]);
  if (!lsn) return Internal("unreadable LSN " + *rows[0][0]);
  return lsn;
}

Status PgChangeFeed::EnsurePublication(const std::vector<SourceTable>& tables) {
  CARELAKE_ASSIGN_OR_RETURN(
      Rows have, client_->Query("SELECT schemaname || '.' || tablename FROM pg_publication_tables "
                                "WHERE pubname = " +
                                client_->Literal(publication_)));
  CARELAKE_ASSIGN_OR_RETURN(Rows exists,
                            client_->Query("SELECT 1 FROM pg_publication WHERE pubname = " +
                                           client_->Literal(publication_)));
  std::set<std::string> published;
  for (const auto& r : have) published.insert(*r[0]);
  std::string missing;
  for (const SourceTable& t : tables) {
    if (published.count(t.schema + "." + t.name)) continue;
    missing += (missing.empty() ? "" : ", ") + client_->Identifier(t.schema) + "." +
               client_->Identifier(t.name);
  }
  if (missing.empty()) return Status::Ok();
  const std::string pub = client_->Identifier(publication_);
  return client_->Exec(exists.empty() ? "CREATE PUBLICATION " + pub + " FOR TABLE " + missing
                                      : "ALTER PUBLICATION " + pub + " ADD TABLE " + missing);
}

Result<SlotStart> PgChangeFeed::CreateSlot(const std::vector<SourceTable>& tables) {
  if (Status s = EnsurePublication(tables); !s.ok()) return s;
  CARELAKE_ASSIGN_OR_RETURN(replication_,
                            PgClient::Connect(ReplicationUrl(options_.url), options_.password,
                                              options_.connect_timeout_s));
  CARELAKE_ASSIGN_OR_RETURN(
      Rows rows, replication_->Query("CREATE_REPLICATION_SLOT " + replication_->Identifier(slot_) +
                                     " LOGICAL pgoutput (SNAPSHOT 'export')"));
  if (rows.empty() || rows[0].size() < 3 || !rows[0][1] || !rows[0][2]) {
    return Internal("CREATE_REPLICATION_SLOT returned no snapshot");
  }
  std::optional<uint64_t> lsn = ParseLsn(*rows[0][1]);
  if (!lsn) return Internal("unreadable LSN " + *rows[0][1]);
  return SlotStart{*lsn, *rows[0][2]};
}

Result<ChangeBatch> PgChangeFeed::Peek(int64_t max_changes) {
  CARELAKE_ASSIGN_OR_RETURN(
      Rows rows, client_->Query("SELECT lsn::text, data FROM pg_logical_slot_peek_binary_changes(" +
                                client_->Literal(slot_) + ", NULL, " + std::to_string(max_changes) +
                                ", 'proto_version', '1', 'publication_names', " +
                                client_->Literal(publication_) + ")"));
  ChangeBatch batch;
  decoder_ = PgOutputDecoder();  // each peek is a new decoding session: relations are re-sent
  for (const auto& r : rows) {
    std::optional<std::string> data = r[1] ? FromByteaHex(*r[1]) : std::nullopt;
    if (!data) return Internal("pg_logical_slot_peek_binary_changes: unreadable data");
    CARELAKE_RETURN_IF_ERROR(decoder_.Feed(*data, &batch.changes));
    if (!decoder_.in_transaction()) {
      if (auto lsn = ParseLsn(r[0].value_or(""))) batch.last_lsn = *lsn;
    }
  }
  batch.more = static_cast<int64_t>(rows.size()) >= max_changes;
  return batch;
}

Status PgChangeFeed::Advance(uint64_t lsn) {
  return client_->Exec("SELECT pg_replication_slot_advance(" + client_->Literal(slot_) + ", " +
                       client_->Literal(FormatLsn(lsn)) + "::pg_lsn)");
}

Result<int64_t> PgChangeFeed::RetainedWalBytes() {
  CARELAKE_ASSIGN_OR_RETURN(
      Rows rows, client_->Query("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint "
                                "FROM pg_replication_slots WHERE slot_name = " +
                                client_->Literal(slot_)));
  if (rows.empty() || !rows[0][0]) return int64_t{0};
  return std::atoll(rows[0][0]->c_str());
}

}  // namespace carelake::dbsource
