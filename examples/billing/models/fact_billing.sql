-- One row per billing transaction line (the grain of the dataset's
-- FactTable), with its eight dimension keys, the post and service dates and
-- the money. The lookup in carelake.yaml adds patient_sk: the patient's
-- version in effect on the day of service (type 2). The other dimensions are
-- type 1 and join by their keys.
--
-- Incremental: the lines silver gained since the last run, merged by
-- fact_table_pk (a line delivered again replaces its earlier copy).
SELECT fact_table_pk,
       patient_number,
       dim_patient_pk,
       dim_physician_pk,
       dim_date_post_pk AS post_date_pk,
       dim_date_service_pk AS service_date_pk,
       dim_cpt_code_pk,
       dim_payer_pk,
       dim_transaction_pk,
       dim_location_pk,
       dim_diagnosis_code_pk,
       post_date,
       service_date,
       cpt_units,
       gross_charge,
       payment,
       adjustment,
       ar
FROM new_rows(silver.facts)
