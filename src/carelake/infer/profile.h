// Profile: what `carelake infer` concludes about text columns from a sample
// of their values — the type they hold (with the strptime format of dates,
// times and timestamps, money written "$2,419.20", integers whose leading
// zeros matter kept as text), the null tokens seen, whether the column is a
// candidate key, whether it likely holds personal data — each with the share
// of values that fit — and the silver declaration (doc/project-format.md)
// that types them.
//
// Pure functions over values: no lake, no engine (infer/lake_profile.h
// reads the samples).
#ifndef CARELAKE_INFER_PROFILE_H_
#define CARELAKE_INFER_PROFILE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace carelake::infer {

// A column's values hold these, tried in this order (the first one that at
// least kMinFitShare of the non-null values fit wins).
enum class Kind { kBoolean, kInteger, kDecimal, kMoney, kDate, kTimestamp, kTime, kText };
std::string ToString(Kind kind);

// A type is chosen when at least this share of the non-null values fit it.
inline constexpr double kMinFitShare = 0.98;

// Tokens that mean "no value" in exported data (compared after trimming).
// The silver default null_tokens ("", "NULL", "N/A") are among them.
const std::vector<std::string>& KnownNullTokens();

// Whether `value` parses with strptime `format` (the subset carelake infer
// proposes: %Y %m %d %H %I %M %S %p and literal characters), with real
// calendar dates (no 2/30).
bool MatchesFormat(std::string_view value, std::string_view format);

// The formats tried, per kind, in order of preference.
const std::vector<std::string>& DateFormats();
const std::vector<std::string>& TimestampFormats();
const std::vector<std::string>& TimeFormats();

// "-12", "0", "42": an integer without leading zeros (or sign-less "0").
bool IsPlainInteger(std::string_view v);
// "0012": digits with a leading zero that a number would drop.
bool HasLeadingZero(std::string_view v);
// "12.5", "-0.25", "3": a decimal number; `scale` gets its digits after the
// point, `digits` its digits before it.
bool IsDecimal(std::string_view v, int* digits = nullptr, int* scale = nullptr);
// "$2,419.20", "-$5", "2,419.20", "$2419.2": money or a number with
// thousands separators.
bool IsMoney(std::string_view v);
// "true"/"false"/"t"/"f" in any case.
bool IsBoolean(std::string_view v);

// Personal-data categories recognised by column name or value shape.
enum class Pii { kNone, kName, kEmail, kPhone, kAddress, kBirthDate, kIdentifier };
std::string ToString(Pii pii);
// The category a column's name suggests ("PatientName", "email", "DOB",
// "Phone", "Street Address", "SSN").
Pii PiiOfName(std::string_view column);
bool IsEmail(std::string_view v);
// 7 to 15 digits, with only + ( ) - . and spaces between them.
bool IsPhone(std::string_view v);

struct ColumnProfile {
  std::string name;                            // the bronze column
  int64_t values = 0;                          // sampled
  int64_t nulls = 0;                           // SQL NULL
  std::map<std::string, int64_t> null_tokens;  // token seen -> count
  int64_t distinct = 0;                        // distinct non-null, non-token values
  Kind kind = Kind::kText;
  std::string type = "VARCHAR";  // the DuckDB type proposed
  std::string format;            // kDate, kTimestamp, kTime: the strptime format
  int64_t fit = 0;               // non-null, non-token values that fit `kind`
  std::string why;               // kText: why not a narrower type, when one came close
  bool candidate_key = false;    // every sampled value present and distinct
  Pii pii = Pii::kNone;
  std::string pii_reason;             // "column name", "values: 97% are emails"
  std::vector<std::string> examples;  // up to 3 distinct values

  int64_t present() const;  // values - nulls - tokens
  double FitShare() const;  // fit / present (1 when none present)
};

// Profiles one column from its sampled values (nullopt: SQL NULL).
ColumnProfile ProfileColumn(const std::string& name,
                            const std::vector<std::optional<std::string>>& values);

struct TableProfile {
  std::string bronze;       // "bronze.unicorn__patient"
  std::string silver_name;  // "patient"
  int64_t rows_sampled = 0;
  int64_t rows_total = -1;  // -1 when unknown
  std::vector<ColumnProfile> columns;
  // Columns that are not text in bronze already: name -> DuckDB type.
  std::map<std::string, std::string> typed;
  std::vector<std::string> column_order;  // every bronze column but lineage, in order
};

// The silver name for a bronze table: `<source>__patient` -> "patient".
std::string SilverNameOf(const std::string& bronze_table, const std::string& source);

// A `silver:` section declaring every table, with the evidence as comments.
// It loads with project::LoadProject when put into a carelake.yaml.
std::string SilverYaml(const std::vector<TableProfile>& tables);

}  // namespace carelake::infer

#endif  // CARELAKE_INFER_PROFILE_H_
