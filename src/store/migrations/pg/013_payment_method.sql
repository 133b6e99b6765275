-- 013_payment_method.sql — the payment method an authorization was made with, so that a
-- later charge on the same payment (an exchange's difference, README "Returns and
-- exchanges") can be authorized without the customer: stripe keeps its PaymentMethod id
-- (pm_..., never a card number); sandbox and manual keep nothing here (a sandbox
-- authorization's reference already carries its test card's behaviour).

ALTER TABLE payment_transactions ADD COLUMN payment_method TEXT COLLATE "C";
