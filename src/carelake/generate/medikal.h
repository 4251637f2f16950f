// The MedIKal Care hospital (seed 002): its operational database `ikhospital`
// split over two servers the way MedIKal's own SQL scripts split it, as rows
// (no server needed; sql_writer.h loads them). Synthetic: no real patients;
// medicine names are common generic drug names with invented brands,
// labelers and NDC codes.
//
// MySQL/MariaDB `ikhospital`:
//   shift    (id_shift PK, shift_name, start_time TIME, end_time TIME): Morning
//            07:00-15:00, Afternoon 15:00-23:00, Night 23:00-07:00.
//   doctors  (id_doctor PK, first_name, last_name, specialty, id_shift,
//            email, phone, hired_date DATE, active TINYINT(1)): three doctors
//            per specialty (kMedikalSpecialties), one per shift.
//   patient  (id_patient PK, first_name, last_name, sex ENUM('F','M'),
//            birth_date DATE, country, city, address (two or three lines,
//            '\n' between them), phone, email, blood_type, registered_at
//            DATETIME): from Portugal, Germany, Brazil, Italy, France, USA,
//            Mexico and the UK, with that country's names, address layout
//            and phone format.
//   events   (id_event PK, id_patient, id_doctor, event_time DATETIME,
//            symptom, notes TEXT, prescribed_ndc, cost DECIMAL(10,2),
//            updated_at TIMESTAMP(6), indexed): visits in 2022-2023 (UTC),
//            about four per patient; updated_at is the last change, at or
//            after event_time, for incremental reads.
// PostgreSQL `ikhospital`, schema `pharmacy`:
//   medicine (id_medicine PK, product_ndc UNIQUE ("0002-1200", "12345-678",
//            "12345-6789"), generic_name, brand_name, labeler_name,
//            dosage_form, route, product_type, marketing_start_date date,
//            unit_price numeric(10,2), active_ingredients text[],
//            updated_at timestamptz).
//
// Business rules (every event keeps them): the patient's age at the visit
// decides — children (under 15) see only a General Practitioner or a
// Pediatrician, and only children see a Pediatrician; a Gynecologist sees
// only females older than 14, a Urologist only males. The symptom is one of
// the doctor's specialty's (each symptom belongs to one specialty); the visit
// falls in the doctor's shift; a prescription names a medicine of the
// pharmacy. Missing values in patient.email, patient.blood_type,
// doctors.phone, events.notes, events.prescribed_ndc and medicine.brand_name
// are the literal text 'NULL', as exported data often has.
#ifndef CARELAKE_GENERATE_MEDIKAL_H_
#define CARELAKE_GENERATE_MEDIKAL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "carelake/base/result.h"
#include "carelake/generate/sql_table.h"

namespace carelake::generate {

inline constexpr const char* kMedikalSpecialties[] = {
    "General Practitioner", "Pediatrician", "Gynecologist",   "Urologist",
    "Oncologist",           "Cardiologist", "Dermatologist",  "Otolaryngologist",
    "Neurologist",          "Orthopedist",  "Ophthalmologist"};
inline constexpr int kMedikalMedicines = 120;

struct MedikalOptions {
  int64_t patients = 1000;
  uint64_t seed = 42;
};

struct MedikalData {
  std::vector<SqlTable> mysql;     // shift, doctors, patient, events
  std::vector<SqlTable> postgres;  // pharmacy.medicine
};

// The tables. The same options give the same rows. InvalidArgument unless
// 1 <= patients <= 1'000'000
// (the rows are held in memory: about 3 KiB per patient with its events;
// 100'000 patients took 0.3 GiB).
Result<MedikalData> GenerateMedikal(const MedikalOptions& options);

}  // namespace carelake::generate

#endif  // CARELAKE_GENERATE_MEDIKAL_H_
