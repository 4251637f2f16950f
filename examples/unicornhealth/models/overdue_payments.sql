-- The accounts whose payment is overdue (a balance, due before `as_of`: the
-- day of the last appointment on record), oldest first in an ageing bucket,
-- with the patient's plan: the billing specialists' worklist. Patient ids
-- only (names and contacts stay in silver, tagged PII).
WITH as_of AS (SELECT max(app_date) AS as_of FROM silver.appointment)
SELECT a.account_id,
       a.member_id AS patient_id,
       p.insurance AS insid,
       i.plan,
       a.payment_due,
       CAST(o.as_of - a.payment_due AS INTEGER) AS days_overdue,
       CASE
         WHEN o.as_of - a.payment_due <= 30 THEN '1-30'
         WHEN o.as_of - a.payment_due <= 60 THEN '31-60'
         WHEN o.as_of - a.payment_due <= 90 THEN '61-90'
         ELSE '90+'
       END AS ageing,
       a.account_balance,
       a.last_payment,
       o.as_of
FROM silver.account a
CROSS JOIN as_of o
LEFT JOIN silver.patient p ON p.person_id = a.member_id
LEFT JOIN silver.insurance i ON i.insid = p.insurance
WHERE a.account_balance > 0 AND a.payment_due < o.as_of
