// UnicornHealth (seed 003), a family-practice clinic: its MySQL database as
// the seed's DDL declares it, as rows (no server needed; sql_writer.h loads
// them). Synthetic: no real patients.
//
// Tables (every column VARCHAR as in the DDL, except account.last_payment
// DECIMAL(10,0); the first column is the primary key):
//   employee    (employee_id E0001.., first_name, last_name, email,
//               phone_number "555-123-4567", title): 25 employees — 6
//               Physician, 3 Nurse Practitioner, 5 Registered Nurse,
//               4 Receptionist, 4 Medical Assistant, 2 Billing Specialist,
//               1 Office Manager.
//   insurance   (insid INS1..INS10, plan).
//   patient     (person_id PER1..PER500, first_name, last_name, email, dob
//               M/D/YYYY, address, zip (5 digits, leading zeros kept),
//               insurance = an insid).
//   account     (accountId ACC0001.., member_id = a person_id, last_payment
//               whole dollars, payment_due M/D/YYYY, account_balance
//               "$2419.20"): one per patient.
//   appointment (appId APPO1.., physician = the employee_id of a Physician
//               or Nurse Practitioner, app_date M/D/YYYY in 2022, app_time
//               "10:08 AM", scheduled_by = a Receptionist's employee_id).
//   encounter   (encounter_id ENC0001.., patient = a person_id, start_time
//               "10:21 AM", status Completed | No-show | Cancelled |
//               In progress): encounter ENC<n> is appointment APPO<n> (the
//               DDL has no column linking them); start_time is empty (NULL)
//               for no-shows and cancellations.
// Missing values are SQL NULLs (the mock data's blanks), in patient.email,
// patient.address, account.last_payment and encounter.start_time.
#ifndef CARELAKE_GENERATE_UNICORN_H_
#define CARELAKE_GENERATE_UNICORN_H_

#include <cstdint>
#include <vector>

#include "carelake/generate/sql_table.h"

namespace carelake::generate {

inline constexpr int kUnicornPatients = 500;
inline constexpr int kUnicornEmployees = 25;
inline constexpr int kUnicornAppointments = 1500;
inline constexpr int kUnicornPlans = 10;

// account, appointment, employee, encounter, insurance, patient (the DDL's
// order). The same seed gives the same rows.
std::vector<SqlTable> GenerateUnicorn(uint64_t seed);

}  // namespace carelake::generate

#endif  // CARELAKE_GENERATE_UNICORN_H_
