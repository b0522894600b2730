-- Credentials a provider hands out and replaces itself. Zalo's access token lasts about a day
-- and is renewed with a refresh token that serves once; the pair Zalo gives at each renewal is
-- kept here, where every motcua process on the database finds it. `configured` is the SHA-256 of
-- the refresh token in the configuration the pair descends from: a new one configured starts
-- afresh.
CREATE TABLE provider_tokens (
    provider TEXT PRIMARY KEY,
    access_token TEXT NOT NULL,
    refresh_token TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    configured TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
