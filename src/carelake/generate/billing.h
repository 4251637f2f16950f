// The billing warehouse (seed 001): CSV files shaped exactly like the public
// Kaggle healthcare billing dataset (tomaslui/healthcare-dataset) so that the
// real files can be dropped in instead. Synthetic: made-up names, no real
// patient data.
//
// Layout under `out_dir`, all files CSV with CRLF line ends and a header:
//   FactTable.csv  FactTablePK, dimPatientPK, dimPhysicianPK, dimDatePostPK,
//       dimDateServicePK, dimCPTCodePK, dimPayerPK, dimTransactionPK,
//       dimLocationPK, PatientNumber, dimDiagnosisCodePK, CPTUnits,
//       GrossCharge, Payment, Adjustment, AR. Money with 2 decimals; for a
//       clean row AR = GrossCharge - Payment - Adjustment and all four are
//       >= 0. Date keys are YYYYMMDD; the service date is 0..10 days before
//       the post date.
//   Dimpatient.csv  dimPatientPK, PatientNumber, FirstName, LastName, Email,
//       PatientGender, PatientAge, City, State
//   DimPhyscian.csv  dimPhysicianPK, ProviderNpi, ProviderName,
//       ProviderSpecialty, ProviderFTE
//   Dimtrancstion.csv  dimTransactionPK, TransactionType, Transaction,
//       AdjustmentReason
//   DimPayer.csv  dimPayerPK, PayerName (Commercial, Medicaid, Medicare,
//       Uninsured)
//   DimLocation.csv  dimLocationPK, LocationName
//   dimDate.csv  dimDatePostPK (YYYYMMDD), Date (M/D/YYYY), Year, Month
//       (January..), MonthPeriod (YYYYMM), MonthYear (Jan-2024), Day, DayName;
//       every day from January 1st of the year before the first post date to
//       December 31st two years after it.
//   dimCptCode.csv  dimCPTCodePK, CptCode, CptDesc, CptGrouping
//   dimDiagnosisCode.csv  dimDiagnosisCodePK, DiagnosisCode,
//       DiagnosisCodeDescription, DiagnosisCodeGroup
// (the file names keep the dataset's own spellings). The dataset's quirks are
// reproduced: every 40th patient's PatientNumber is repeated under another
// dimPatientPK with identical attributes (facts use both keys); the last
// physician repeats the first one's NPI and name under another key; some
// transactions have an empty Transaction and some CPT codes an empty CptDesc;
// one diagnosis code is repeated under two keys.
//
// The first call into a folder writes the full set above: `days` days of
// fact lines, posted from 2024-01-01 on. Every later call writes one daily
// fact drop, FactTable_YYYYMMDD.csv, for the day after the last one written,
// and every third drop also re-delivers Dimpatient_YYYYMMDD.csv (same day)
// in which about 5% of the patients moved (City and State changed). Later
// calls continue with the seed and patient count of the first (kept in
// .billing-state.json, rewritten after every call); files are never
// overwritten (AlreadyExists, nothing written).
//
// Dirt (rate `dirt`: each fact line is dirty with that probability, one kind
// each): a missing key (empty PatientNumber, dimPhysicianPK, dimPayerPK or
// dimCPTCodePK), a negative Payment (AR still reconciles), AR that does not
// reconcile (off by 1.00 to 50.00), an impossible service date key (day 30
// of February).
#ifndef CARELAKE_GENERATE_BILLING_H_
#define CARELAKE_GENERATE_BILLING_H_

#include <cstdint>
#include <string>
#include <vector>

#include "carelake/base/result.h"

namespace carelake::generate {

struct BillingOptions {
  std::string out_dir;
  uint64_t seed = 42;
  int64_t days = 30;       // days of fact lines in the first call (later calls write one)
  int64_t patients = 500;  // distinct patients (the duplicated keys come on top)
  double dirt = 0.02;
};

struct BillingSummary {
  std::vector<std::string> files;  // paths written (without the state file)
  int64_t drop = 0;                // 0 for the first call, then 1, 2, ...
  int64_t first_day = 0;           // post dates covered, days since the epoch
  int64_t last_day = 0;
  int64_t fact_lines = 0;
  int64_t first_fact_pk = 0;
  int64_t last_fact_pk = 0;
  int64_t patients_moved = 0;  // patients whose City/State a re-delivery changed
  // Dirt, by kind.
  int64_t missing_key = 0;
  int64_t negative_payment = 0;
  int64_t unreconciled = 0;
  int64_t bad_service_date = 0;
  uint64_t bytes = 0;
};

// Writes the first set or the next drop. The same options and the same
// folder contents give the same bytes. InvalidArgument for bad options,
// FailedPrecondition if the folder holds FactTable.csv but no (readable)
// state file, AlreadyExists if a file this call would write is present.
Result<BillingSummary> GenerateBilling(const BillingOptions& options);

}  // namespace carelake::generate

#endif  // CARELAKE_GENERATE_BILLING_H_
