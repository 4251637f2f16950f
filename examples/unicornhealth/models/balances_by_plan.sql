-- Account balances by insurance plan (the account's member is a patient, the
-- patient has a plan): patients, what they owe, and what is overdue. The
-- clinic's data has no "today": `as_of` is the day of the last appointment
-- on record, and an account is overdue when it owes money and its payment
-- was due before that day.
WITH as_of AS (SELECT max(app_date) AS as_of FROM silver.appointment)
SELECT i.insid,
       i.plan,
       count(DISTINCT p.person_id) AS patients,
       count(a.account_id) AS accounts,
       coalesce(sum(a.account_balance), 0) AS total_balance,
       round(avg(a.account_balance), 2) AS avg_balance,
       count(*) FILTER (WHERE a.account_balance > 0) AS accounts_owing,
       count(*) FILTER (WHERE a.account_balance > 0 AND a.payment_due < o.as_of) AS overdue_accounts,
       coalesce(sum(a.account_balance) FILTER (WHERE a.payment_due < o.as_of), 0) AS overdue_balance,
       coalesce(sum(a.last_payment), 0) AS last_payments,
       o.as_of
FROM silver.insurance i
CROSS JOIN as_of o
LEFT JOIN silver.patient p ON p.insurance = i.insid
LEFT JOIN silver.account a ON a.member_id = p.person_id
GROUP BY ALL
