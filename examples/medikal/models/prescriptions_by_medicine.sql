-- The pharmacy's catalogue (PostgreSQL) joined with the prescriptions of the
-- events (MySQL) by NDC: how often each medicine was prescribed, to how many
-- patients, and its value at the catalogue's unit price.
SELECT m.id_medicine, m.product_ndc, m.generic_name, m.brand_name, m.labeler_name,
       m.dosage_form, m.route, m.product_type, m.active_ingredients, m.unit_price,
       count(v.id_event) AS prescriptions,
       count(DISTINCT v.id_patient) AS patients,
       coalesce(sum(m.unit_price) FILTER (WHERE v.id_event IS NOT NULL), 0) AS value
FROM silver.medicine m
LEFT JOIN gold.visits v ON v.id_medicine = m.id_medicine
GROUP BY ALL
