"""billing: usage metering, pricing and rating, budget alerts, Stripe invoices and webhooks, reconciliation."""
