// The MHA hospital patient-flow system (seed 004): a stream of admission and
// discharge events plus daily EHR extracts and department metadata, with the
// dirt the seed describes. Synthetic: no real patient data.
//
// Layout under `out_dir` (one call = one "run"):
//   events/events-<stamp>-<NNNN>.ndjson  the run's events in B micro-batches;
//       <stamp> is the run's first simulated instant ("20240101T000000Z"),
//       NNNN the batch (0001..B). One JSON object per line: event_id
//       ("EV000000001"), event_type ("admission"|"discharge"), patient_id
//       ("P0000001"), hospital_id ("H1".."H7"), department, event_time
//       ("2024-01-01T00:12:34Z"), recorded_at (when the registration system
//       sent the event: the true time, as a stream's message timestamp would
//       give it), age (integer), gender ("F"|"M"|"X"),
//       admission_event_id (discharges only) and, once the schema has evolved,
//       insurance_type. The first run evolves from batch B/2 (0-based) on;
//       later runs carry it in every batch.
//   ehr/ehr-<date>.csv  one file per simulated day of the run: the patients in
//       hospital that day (patient_id,name,birth_date,gender,blood_type,
//       allergies; allergies ';'-separated). Some patients gain an allergy a
//       day or two after admission, so a later extract differs (SCD2 input).
//   departments/departments-<date>.csv  a full snapshot (hospital_id,
//       department,capacity,staff,effective_date) on the run's first day and on
//       up to three later days where a few rows' capacity/staff change.
//   .mha-state.json  where the next run continues: run count, next event and
//       patient number, next simulated day, the current department rows,
//       whether the schema has evolved, and the patients still in hospital.
//       Rewritten at the end of every run.
//
// A run starts on the day after the previous run's last simulated day, so its
// file names are new; data files are never overwritten (AlreadyExists if one
// is present), and event/patient ids continue from the state. Patients still
// in hospital at the end of a run are discharged by the next run (their
// discharge events name admissions of the earlier run, and they appear in its
// EHR extracts until then).
//
// Dirt (rate `dirt`: each base event is dirty with that probability, one kind
// each): missing admission time (event_time absent or null), age above 100,
// age below 0, duplicate (the line repeated verbatim up to a batch later),
// future timestamp (1 to 5 years ahead), discharge before its admission.
#ifndef CARELAKE_GENERATE_MHA_H_
#define CARELAKE_GENERATE_MHA_H_

#include <cstdint>
#include <string>
#include <vector>

#include "carelake/base/result.h"

namespace carelake::generate {

struct MhaOptions {
  std::string out_dir;
  int64_t events = 10000;  // base events (duplicates come on top)
  uint64_t seed = 42;
  int batches = 10;
  double dirt = 0.02;
};

struct MhaSummary {
  std::vector<std::string> files;  // paths written (without the state file)
  int64_t run = 0;                 // 1 for the first call into a folder
  int64_t lines = 0;               // event lines, duplicates included
  int64_t admissions = 0;          // base events, duplicates excluded
  int64_t discharges = 0;
  int64_t still_admitted = 0;  // in hospital at the end of this run (a later run discharges them)
  int64_t first_event_id = 0;  // numeric part of the run's event ids
  int64_t last_event_id = 0;
  int64_t start_time = 0;  // simulated, seconds since the epoch
  int64_t end_time = 0;    // the last (clean) event time
  // Dirt, by kind.
  int64_t missing_admission_time = 0;
  int64_t age_over_100 = 0;
  int64_t age_below_0 = 0;
  int64_t duplicate_events = 0;
  int64_t future_timestamps = 0;
  int64_t discharge_before_admission = 0;
  uint64_t bytes = 0;
};

// Writes one run. The same options and the same folder contents give the
// same bytes. InvalidArgument for bad options, FailedPrecondition if the
// folder holds MHA events but no (readable) state file, AlreadyExists if a
// file this run would write is present (nothing is written then).
Result<MhaSummary> GenerateMha(const MhaOptions& options);

}  // namespace carelake::generate

#endif  // CARELAKE_GENERATE_MHA_H_
