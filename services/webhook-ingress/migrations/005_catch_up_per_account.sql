-- A catch-up reads one PSP account's event list (its own API key): the command names the account
-- (`./platform ingress catch-up --account eu`), `default` being POST /webhooks/stripe's.
ALTER TABLE catch_up_requests ADD COLUMN account text NOT NULL DEFAULT 'default' CHECK (account ~ '^[a-z0-9_-]{1,40}$');
