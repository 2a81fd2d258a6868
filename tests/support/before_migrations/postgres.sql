-- A database as the project made it before migrations (commit 80f892d: ensure_tables() and
-- friends), with a conversation, a booking request and its outbox rows, a handled Twilio
-- message, a staff user, session, tag, note, review mark and audit entry. Made by running
-- that commit's code on an empty database and dumping it; read by tests/test_migrations.py.
-- (pg_dump --inserts --no-owner --no-privileges, comments and psql meta-commands removed.)
SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;
SET default_tablespace = '';
SET default_table_access_method = heap;
CREATE TABLE public.booking_deliveries (
    id integer NOT NULL,
    request_id integer NOT NULL,
    method character varying(16) NOT NULL,
    payload text NOT NULL,
    status character varying(16) DEFAULT 'pending'::character varying NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    next_attempt_at timestamp with time zone NOT NULL,
    locked_until timestamp with time zone,
    last_error text,
    created_at timestamp with time zone NOT NULL,
    delivered_at timestamp with time zone
);
CREATE SEQUENCE public.booking_deliveries_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.booking_deliveries_id_seq OWNED BY public.booking_deliveries.id;
CREATE TABLE public.booking_requests (
    id integer NOT NULL,
    conversation_id character varying(255) NOT NULL,
    kind character varying(16) NOT NULL,
    name character varying(200),
    contact character varying(254),
    preferred_time timestamp with time zone,
    reason text,
    status character varying(16) DEFAULT 'new'::character varying NOT NULL,
    channel character varying(64),
    consent_at timestamp with time zone,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    dedup_key character varying(64) NOT NULL,
    CONSTRAINT booking_requests_kind CHECK (((kind)::text = ANY ((ARRAY['booking'::character varying, 'change'::character varying, 'cancel'::character varying, 'human'::character varying])::text[]))),
    CONSTRAINT booking_requests_status CHECK (((status)::text = ANY ((ARRAY['new'::character varying, 'contacted'::character varying, 'booked'::character varying, 'cancelled'::character varying])::text[])))
);
CREATE SEQUENCE public.booking_requests_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.booking_requests_id_seq OWNED BY public.booking_requests.id;
CREATE TABLE public.channel_handled_messages (
    channel character varying(16) NOT NULL,
    message_id character varying(64) NOT NULL,
    received_at timestamp without time zone NOT NULL
);
CREATE TABLE public.events (
    id integer NOT NULL,
    sender_id character varying(255) NOT NULL,
    type_name character varying(255) NOT NULL,
    "timestamp" double precision,
    intent_name character varying(255),
    action_name character varying(255),
    data text,
    seq integer
);
CREATE SEQUENCE public.events_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.events_id_seq OWNED BY public.events.id;
CREATE TABLE public.review_activations (
    id integer NOT NULL,
    model_path text NOT NULL,
    run_id integer,
    activated_by character varying(80) NOT NULL,
    activated_at timestamp with time zone NOT NULL,
    numbers text NOT NULL,
    servers text NOT NULL
);
CREATE SEQUENCE public.review_activations_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.review_activations_id_seq OWNED BY public.review_activations.id;
CREATE TABLE public.review_audit_log (
    id integer NOT NULL,
    at timestamp with time zone NOT NULL,
    username character varying(80) NOT NULL,
    action character varying(40) NOT NULL,
    conversation_id character varying(255),
    detail text NOT NULL
);
CREATE SEQUENCE public.review_audit_log_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.review_audit_log_id_seq OWNED BY public.review_audit_log.id;
CREATE TABLE public.review_corrections (
    event_id integer NOT NULL,
    conversation_id character varying(255) NOT NULL,
    text text NOT NULL,
    predicted_intent character varying(255),
    intent character varying(255) NOT NULL,
    entities text NOT NULL,
    corrected_by character varying(80) NOT NULL,
    corrected_at timestamp with time zone NOT NULL
);
CREATE SEQUENCE public.review_corrections_event_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.review_corrections_event_id_seq OWNED BY public.review_corrections.event_id;
CREATE TABLE public.review_corrections_used (
    event_id integer NOT NULL,
    run_id integer NOT NULL,
    conversation_id character varying(255) NOT NULL,
    used_at timestamp with time zone NOT NULL
);
CREATE SEQUENCE public.review_corrections_used_event_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.review_corrections_used_event_id_seq OWNED BY public.review_corrections_used.event_id;
CREATE TABLE public.review_login_throttle (
    key character varying(200) NOT NULL,
    failures integer NOT NULL,
    last_failure timestamp with time zone,
    lockouts integer NOT NULL,
    locked_until timestamp with time zone
);
CREATE TABLE public.review_model_runs (
    id integer NOT NULL,
    status character varying(20) NOT NULL,
    started_by character varying(80) NOT NULL,
    started_at timestamp with time zone NOT NULL,
    finished_at timestamp with time zone,
    workdir text NOT NULL,
    model_path text,
    base_model text,
    corrections text NOT NULL,
    comparison text,
    error text,
    pid integer,
    heartbeat timestamp with time zone
);
CREATE SEQUENCE public.review_model_runs_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.review_model_runs_id_seq OWNED BY public.review_model_runs.id;
CREATE TABLE public.review_notes (
    id integer NOT NULL,
    conversation_id character varying(255) NOT NULL,
    author character varying(80) NOT NULL,
    body text NOT NULL,
    created_at timestamp with time zone NOT NULL
);
CREATE SEQUENCE public.review_notes_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.review_notes_id_seq OWNED BY public.review_notes.id;
CREATE TABLE public.review_reviewed (
    conversation_id character varying(255) NOT NULL,
    reviewed_by character varying(80) NOT NULL,
    reviewed_at timestamp with time zone NOT NULL
);
CREATE TABLE public.review_sessions (
    token_hash character varying(64) NOT NULL,
    user_id integer NOT NULL,
    created_at timestamp with time zone NOT NULL,
    last_seen timestamp with time zone NOT NULL
);
CREATE TABLE public.review_tags (
    conversation_id character varying(255) NOT NULL,
    tag character varying(40) NOT NULL,
    added_by character varying(80) NOT NULL,
    added_at timestamp with time zone NOT NULL
);
CREATE TABLE public.review_users (
    id integer NOT NULL,
    username character varying(80) NOT NULL,
    password_hash character varying(255) NOT NULL,
    is_admin boolean NOT NULL,
    created_at timestamp with time zone NOT NULL,
    failed_logins integer NOT NULL,
    locked_until timestamp with time zone
);
CREATE SEQUENCE public.review_users_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.review_users_id_seq OWNED BY public.review_users.id;
CREATE TABLE public.review_wanted_answers (
    id integer NOT NULL,
    title character varying(200) NOT NULL,
    created_by character varying(80) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    done_by character varying(80),
    done_at timestamp with time zone
);
CREATE SEQUENCE public.review_wanted_answers_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.review_wanted_answers_id_seq OWNED BY public.review_wanted_answers.id;
CREATE TABLE public.review_wanted_messages (
    event_id integer NOT NULL,
    wanted_id integer NOT NULL,
    conversation_id character varying(255) NOT NULL
);
CREATE SEQUENCE public.review_wanted_messages_event_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.review_wanted_messages_event_id_seq OWNED BY public.review_wanted_messages.event_id;
ALTER TABLE ONLY public.booking_deliveries ALTER COLUMN id SET DEFAULT nextval('public.booking_deliveries_id_seq'::regclass);
ALTER TABLE ONLY public.booking_requests ALTER COLUMN id SET DEFAULT nextval('public.booking_requests_id_seq'::regclass);
ALTER TABLE ONLY public.events ALTER COLUMN id SET DEFAULT nextval('public.events_id_seq'::regclass);
ALTER TABLE ONLY public.review_activations ALTER COLUMN id SET DEFAULT nextval('public.review_activations_id_seq'::regclass);
ALTER TABLE ONLY public.review_audit_log ALTER COLUMN id SET DEFAULT nextval('public.review_audit_log_id_seq'::regclass);
ALTER TABLE ONLY public.review_corrections ALTER COLUMN event_id SET DEFAULT nextval('public.review_corrections_event_id_seq'::regclass);
ALTER TABLE ONLY public.review_corrections_used ALTER COLUMN event_id SET DEFAULT nextval('public.review_corrections_used_event_id_seq'::regclass);
ALTER TABLE ONLY public.review_model_runs ALTER COLUMN id SET DEFAULT nextval('public.review_model_runs_id_seq'::regclass);
ALTER TABLE ONLY public.review_notes ALTER COLUMN id SET DEFAULT nextval('public.review_notes_id_seq'::regclass);
ALTER TABLE ONLY public.review_users ALTER COLUMN id SET DEFAULT nextval('public.review_users_id_seq'::regclass);
ALTER TABLE ONLY public.review_wanted_answers ALTER COLUMN id SET DEFAULT nextval('public.review_wanted_answers_id_seq'::regclass);
ALTER TABLE ONLY public.review_wanted_messages ALTER COLUMN event_id SET DEFAULT nextval('public.review_wanted_messages_event_id_seq'::regclass);
INSERT INTO public.booking_deliveries VALUES (1, 1, 'webhook', '{"channel": "rest", "consent_at": "2026-12-01T02:30:27.431109+00:00", "contact": "+447911123456", "conversation_id": "runner-before", "created_at": "2026-12-01T02:30:27.431109+00:00", "id": 1, "kind": "booking", "name": "Sam Jones", "preferred_time": "2026-11-24T10:00:00+00:00", "reason": "pain at the front of the knee", "status": "new", "updated_at": "2026-12-01T02:30:27.431109+00:00"}', 'pending', 0, '2026-12-01 02:30:27.462716+00', NULL, NULL, '2026-12-01 02:30:27.462716+00', NULL);
INSERT INTO public.booking_deliveries VALUES (2, 1, 'email', '{"channel": "rest", "consent_at": "2026-12-01T02:30:27.431109+00:00", "contact": "+447911123456", "conversation_id": "runner-before", "created_at": "2026-12-01T02:30:27.431109+00:00", "id": 1, "kind": "booking", "name": "Sam Jones", "preferred_time": "2026-11-24T10:00:00+00:00", "reason": "pain at the front of the knee", "status": "new", "updated_at": "2026-12-01T02:30:27.431109+00:00"}', 'pending', 0, '2026-12-01 02:30:27.462716+00', NULL, NULL, '2026-12-01 02:30:27.462716+00', NULL);
INSERT INTO public.booking_requests VALUES (1, 'runner-before', 'booking', 'Sam Jones', '+447911123456', '2026-11-24 10:00:00+00', 'pain at the front of the knee', 'new', 'rest', '2026-12-01 02:30:27.431109+00', '2026-12-01 02:30:27.431109+00', '2026-12-01 02:30:27.431109+00', 'd755c8ef1cd570bb8b753be9b4b804480bcbe8ba491386b6cf399f7e9b32ea8e');
INSERT INTO public.channel_handled_messages VALUES ('twilio', 'SM0123456789abcdef', '2026-12-01 02:30:27.498708');
INSERT INTO public.events VALUES (1, 'runner-before', 'action', 1796092227.1601653, NULL, 'action_listen', '{"event": "action", "timestamp": 1796092227.1601653, "name": "action_listen", "policy": null, "confidence": null, "action_text": null, "hide_rule_turn": false}', 1);
INSERT INTO public.events VALUES (2, 'runner-before', 'user', 1796092227.186313, 'describe_symptoms', NULL, '{"event": "user", "timestamp": 1796092227.186313, "text": "my knee hurts when I run downhill", "parse_data": {"intent": {"name": "describe_symptoms", "confidence": 0.91}, "entities": [], "text": "my knee hurts when I run downhill", "message_id": null, "metadata": {}}, "input_channel": null, "message_id": null, "metadata": {}}', 2);
INSERT INTO public.events VALUES (3, 'runner-before', 'action', 1796092227.1863446, NULL, 'utter_ask_location', '{"event": "action", "timestamp": 1796092227.1863446, "name": "utter_ask_location", "policy": null, "confidence": null, "action_text": null, "hide_rule_turn": false}', 3);
INSERT INTO public.events VALUES (4, 'runner-before', 'bot', 1796092227.1863534, NULL, NULL, '{"event": "bot", "timestamp": 1796092227.1863534, "text": "Where on your knee is the pain?", "data": {}, "metadata": {}}', 4);
INSERT INTO public.review_audit_log VALUES (1, '2026-12-01 02:30:28.426138+00', 'nora', 'view', 'runner-before', '');
INSERT INTO public.review_notes VALUES (1, 'runner-before', 'nora', 'Check the downhill advice.', '2026-12-01 02:30:28.398268+00');
INSERT INTO public.review_reviewed VALUES ('runner-before', 'nora', '2026-12-01 02:30:28.407375+00');
INSERT INTO public.review_sessions VALUES ('a3b1e7dda1079e4e20a7e0ad0ba221cf44ad371ce4f298eabbae99eff31b8721', 1, '2026-12-01 02:30:28.375565+00', '2026-12-01 02:30:28.375565+00');
INSERT INTO public.review_tags VALUES ('runner-before', 'needs-data', 'nora', '2026-12-01 02:30:28.391548+00');
INSERT INTO public.review_users VALUES (1, 'nora', '$argon2id$v=19$m=65536,t=3,p=4$pMOBIaD14KKEfZpCci27ig$Lo+OnEAhtuUihsQbRgMqCfS0byYeJoheI4PkoTNSvSY', false, '2026-12-01 02:30:28.359921+00', 0, NULL);
SELECT pg_catalog.setval('public.booking_deliveries_id_seq', 2, true);
SELECT pg_catalog.setval('public.booking_requests_id_seq', 1, true);
SELECT pg_catalog.setval('public.events_id_seq', 4, true);
SELECT pg_catalog.setval('public.review_activations_id_seq', 1, false);
SELECT pg_catalog.setval('public.review_audit_log_id_seq', 1, true);
SELECT pg_catalog.setval('public.review_corrections_event_id_seq', 1, false);
SELECT pg_catalog.setval('public.review_corrections_used_event_id_seq', 1, false);
SELECT pg_catalog.setval('public.review_model_runs_id_seq', 1, false);
SELECT pg_catalog.setval('public.review_notes_id_seq', 1, true);
SELECT pg_catalog.setval('public.review_users_id_seq', 1, true);
SELECT pg_catalog.setval('public.review_wanted_answers_id_seq', 1, false);
SELECT pg_catalog.setval('public.review_wanted_messages_event_id_seq', 1, false);
ALTER TABLE ONLY public.booking_deliveries
    ADD CONSTRAINT booking_deliveries_once UNIQUE (request_id, method);
ALTER TABLE ONLY public.booking_deliveries
    ADD CONSTRAINT booking_deliveries_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.booking_requests
    ADD CONSTRAINT booking_requests_dedup_key_key UNIQUE (dedup_key);
ALTER TABLE ONLY public.booking_requests
    ADD CONSTRAINT booking_requests_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.channel_handled_messages
    ADD CONSTRAINT channel_handled_messages_pkey PRIMARY KEY (channel, message_id);
ALTER TABLE ONLY public.events
    ADD CONSTRAINT events_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.review_activations
    ADD CONSTRAINT review_activations_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.review_audit_log
    ADD CONSTRAINT review_audit_log_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.review_corrections
    ADD CONSTRAINT review_corrections_pkey PRIMARY KEY (event_id);
ALTER TABLE ONLY public.review_corrections_used
    ADD CONSTRAINT review_corrections_used_pkey PRIMARY KEY (event_id);
ALTER TABLE ONLY public.review_login_throttle
    ADD CONSTRAINT review_login_throttle_pkey PRIMARY KEY (key);
ALTER TABLE ONLY public.review_model_runs
    ADD CONSTRAINT review_model_runs_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.review_notes
    ADD CONSTRAINT review_notes_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.review_reviewed
    ADD CONSTRAINT review_reviewed_pkey PRIMARY KEY (conversation_id);
ALTER TABLE ONLY public.review_sessions
    ADD CONSTRAINT review_sessions_pkey PRIMARY KEY (token_hash);
ALTER TABLE ONLY public.review_tags
    ADD CONSTRAINT review_tags_pkey PRIMARY KEY (conversation_id, tag);
ALTER TABLE ONLY public.review_users
    ADD CONSTRAINT review_users_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.review_users
    ADD CONSTRAINT review_users_username_key UNIQUE (username);
ALTER TABLE ONLY public.review_wanted_answers
    ADD CONSTRAINT review_wanted_answers_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.review_wanted_messages
    ADD CONSTRAINT review_wanted_messages_pkey PRIMARY KEY (event_id);
CREATE UNIQUE INDEX events_sender_seq ON public.events USING btree (sender_id, seq);
CREATE INDEX ix_booking_requests_conversation_id ON public.booking_requests USING btree (conversation_id);
CREATE INDEX ix_events_sender_id ON public.events USING btree (sender_id);
CREATE INDEX ix_review_audit_log_at ON public.review_audit_log USING btree (at);
CREATE INDEX ix_review_corrections_conversation_id ON public.review_corrections USING btree (conversation_id);
CREATE INDEX ix_review_corrections_used_conversation_id ON public.review_corrections_used USING btree (conversation_id);
CREATE INDEX ix_review_notes_conversation_id ON public.review_notes USING btree (conversation_id);
CREATE INDEX ix_review_wanted_messages_conversation_id ON public.review_wanted_messages USING btree (conversation_id);
CREATE INDEX ix_review_wanted_messages_wanted_id ON public.review_wanted_messages USING btree (wanted_id);
ALTER TABLE ONLY public.booking_deliveries
    ADD CONSTRAINT booking_deliveries_request_id_fkey FOREIGN KEY (request_id) REFERENCES public.booking_requests(id);
ALTER TABLE ONLY public.review_sessions
    ADD CONSTRAINT review_sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.review_users(id) ON DELETE CASCADE;
ALTER TABLE ONLY public.review_wanted_messages
    ADD CONSTRAINT review_wanted_messages_wanted_id_fkey FOREIGN KEY (wanted_id) REFERENCES public.review_wanted_answers(id) ON DELETE CASCADE;
