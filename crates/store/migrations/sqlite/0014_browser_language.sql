-- The language a person's browser asked for when they last signed in: what notifications and
-- emails are written in when they have not chosen a language themselves.
ALTER TABLE users ADD COLUMN browser_locale TEXT;
