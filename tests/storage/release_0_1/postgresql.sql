--
-- PostgreSQL database dump
--

\restrict mGczIKzwody7Ik6vFn7xdKIG4ZzfXOG5fgxy04DNainArUwk5ez5kxdhZy5g1uT

-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)
-- Dumped by pg_dump version 15.20 (Debian 15.20-0+deb12u1)

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

--
-- Name: answers; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.answers (
    id integer NOT NULL,
    quiz_id integer NOT NULL,
    channel_id character varying(32) NOT NULL,
    user_id character varying(32) NOT NULL,
    choice integer NOT NULL,
    correct boolean NOT NULL,
    answered_at timestamp without time zone NOT NULL
);


--
-- Name: answers_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.answers_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: answers_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.answers_id_seq OWNED BY public.answers.id;


--
-- Name: lookups; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.lookups (
    id integer NOT NULL,
    term text,
    miss character varying(200),
    looked_up_at timestamp without time zone NOT NULL
);


--
-- Name: lookups_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.lookups_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: lookups_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.lookups_id_seq OWNED BY public.lookups.id;


--
-- Name: practice_answers; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.practice_answers (
    id integer NOT NULL,
    user_id character varying(32) NOT NULL,
    term text NOT NULL,
    kind character varying(16) NOT NULL,
    correct boolean NOT NULL,
    answered_at timestamp without time zone NOT NULL
);


--
-- Name: practice_answers_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.practice_answers_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: practice_answers_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.practice_answers_id_seq OWNED BY public.practice_answers.id;


--
-- Name: practice_cards; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.practice_cards (
    user_id character varying(32) NOT NULL,
    term character varying(200) NOT NULL,
    box integer NOT NULL,
    due_at timestamp without time zone NOT NULL,
    misses integer DEFAULT 0 NOT NULL,
    updated_at timestamp without time zone NOT NULL
);


--
-- Name: quizzes; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.quizzes (
    id integer NOT NULL,
    channel_id character varying(32) NOT NULL,
    slot character varying(32) NOT NULL,
    term text NOT NULL,
    kind character varying(16) NOT NULL,
    prompt text NOT NULL,
    choices text NOT NULL,
    correct integer NOT NULL,
    state character varying(16) NOT NULL,
    message_ts character varying(32),
    claimed_by character varying(64) NOT NULL,
    claimed_at timestamp without time zone NOT NULL,
    posted_at timestamp without time zone,
    closes_at timestamp without time zone NOT NULL,
    closed_at timestamp without time zone,
    shown_count integer DEFAULT 0 NOT NULL,
    count_updated_at timestamp without time zone
);


--
-- Name: quizzes_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.quizzes_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: quizzes_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.quizzes_id_seq OWNED BY public.quizzes.id;


--
-- Name: schedules; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schedules (
    channel_id character varying(32) NOT NULL,
    local_time character varying(5) NOT NULL,
    timezone character varying(64) NOT NULL,
    days character varying(40) NOT NULL,
    updated_by character varying(32) NOT NULL,
    updated_at timestamp without time zone NOT NULL
);


--
-- Name: schema_version; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schema_version (
    version integer NOT NULL,
    applied_at timestamp without time zone NOT NULL
);


--
-- Name: schema_version_version_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.schema_version_version_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: schema_version_version_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.schema_version_version_seq OWNED BY public.schema_version.version;


--
-- Name: weekly_posts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.weekly_posts (
    id integer NOT NULL,
    channel_id character varying(32) NOT NULL,
    week character varying(10) NOT NULL,
    state character varying(16) NOT NULL,
    message_ts character varying(32),
    claimed_by character varying(64) NOT NULL,
    claimed_at timestamp without time zone NOT NULL,
    posted_at timestamp without time zone
);


--
-- Name: weekly_posts_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.weekly_posts_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: weekly_posts_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.weekly_posts_id_seq OWNED BY public.weekly_posts.id;


--
-- Name: answers id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.answers ALTER COLUMN id SET DEFAULT nextval('public.answers_id_seq'::regclass);


--
-- Name: lookups id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.lookups ALTER COLUMN id SET DEFAULT nextval('public.lookups_id_seq'::regclass);


--
-- Name: practice_answers id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.practice_answers ALTER COLUMN id SET DEFAULT nextval('public.practice_answers_id_seq'::regclass);


--
-- Name: quizzes id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.quizzes ALTER COLUMN id SET DEFAULT nextval('public.quizzes_id_seq'::regclass);


--
-- Name: schema_version version; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.schema_version ALTER COLUMN version SET DEFAULT nextval('public.schema_version_version_seq'::regclass);


--
-- Name: weekly_posts id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.weekly_posts ALTER COLUMN id SET DEFAULT nextval('public.weekly_posts_id_seq'::regclass);


--
-- Data for Name: answers; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.answers VALUES (1, 1, 'C100', 'U1', 0, true, '2026-11-23 08:30:00');
INSERT INTO public.answers VALUES (2, 1, 'C100', 'U2', 1, false, '2026-11-23 08:31:00');
INSERT INTO public.answers VALUES (3, 1, 'C100', 'U3', 2, false, '2026-11-23 08:32:00');


--
-- Data for Name: lookups; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.lookups VALUES (1, 'Drain', NULL, '2026-11-23 08:30:00');
INSERT INTO public.lookups VALUES (2, NULL, 'draen thing', '2026-11-23 08:30:00');


--
-- Data for Name: practice_answers; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.practice_answers VALUES (1, 'U1', 'Drain', 'term', true, '2026-11-23 08:30:00');
INSERT INTO public.practice_answers VALUES (2, 'U2', 'Cell', 'trap', false, '2026-11-23 08:30:00');


--
-- Data for Name: practice_cards; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.practice_cards VALUES ('U1', 'Drain', 2, '2026-11-24 08:30:00', 1, '2026-11-23 08:30:00');
INSERT INTO public.practice_cards VALUES ('U2', 'Cell', 1, '2026-11-23 08:30:00', 2, '2026-11-23 08:30:00');


--
-- Data for Name: quizzes; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.quizzes VALUES (2, 'C200', '2026-11-23T08:00', 'Cell', 'trap', 'Cell', '["t1", "t2", "t3", "t4"]', 2, 'claimed', NULL, 'host:1:a', '2026-11-23 08:30:00', NULL, '2026-11-23 18:30:00', NULL, 0, NULL);
INSERT INTO public.quizzes VALUES (1, 'C100', '2026-11-23T09:30', 'Drain', 'term', 'A no-new-work posture', '["Drain", "Cell", "RPO", "RTO"]', 0, 'posted', '1763886600.000001', 'host:1:a', '2026-11-23 08:30:00', '2026-11-23 08:30:00', '2026-11-23 18:30:00', NULL, 3, '2026-11-23 08:30:00');


--
-- Data for Name: schedules; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.schedules VALUES ('C100', '09:30', 'Europe/Berlin', 'mon-fri', 'U1', '2026-11-23 08:30:00');
INSERT INTO public.schedules VALUES ('C200', '08:00', 'UTC', 'daily', 'U2', '2026-11-23 08:30:00');


--
-- Data for Name: schema_version; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.schema_version VALUES (1, '2026-11-27 13:05:34.514151');


--
-- Data for Name: weekly_posts; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.weekly_posts VALUES (1, 'C100', '2026-W47', 'posted', '1763886600.000009', 'host:1:a', '2026-11-23 08:30:00', '2026-11-23 08:30:00');


--
-- Name: answers_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.answers_id_seq', 3, true);


--
-- Name: lookups_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.lookups_id_seq', 2, true);


--
-- Name: practice_answers_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.practice_answers_id_seq', 2, true);


--
-- Name: quizzes_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.quizzes_id_seq', 2, true);


--
-- Name: schema_version_version_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.schema_version_version_seq', 1, false);


--
-- Name: weekly_posts_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.weekly_posts_id_seq', 1, true);


--
-- Name: answers answers_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.answers
    ADD CONSTRAINT answers_pkey PRIMARY KEY (id);


--
-- Name: lookups lookups_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.lookups
    ADD CONSTRAINT lookups_pkey PRIMARY KEY (id);


--
-- Name: practice_answers practice_answers_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.practice_answers
    ADD CONSTRAINT practice_answers_pkey PRIMARY KEY (id);


--
-- Name: practice_cards practice_cards_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.practice_cards
    ADD CONSTRAINT practice_cards_pkey PRIMARY KEY (user_id, term);


--
-- Name: quizzes quizzes_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.quizzes
    ADD CONSTRAINT quizzes_pkey PRIMARY KEY (id);


--
-- Name: schedules schedules_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.schedules
    ADD CONSTRAINT schedules_pkey PRIMARY KEY (channel_id);


--
-- Name: schema_version schema_version_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.schema_version
    ADD CONSTRAINT schema_version_pkey PRIMARY KEY (version);


--
-- Name: answers uq_answers_quiz_user; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.answers
    ADD CONSTRAINT uq_answers_quiz_user UNIQUE (quiz_id, user_id);


--
-- Name: quizzes uq_quizzes_channel_slot; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.quizzes
    ADD CONSTRAINT uq_quizzes_channel_slot UNIQUE (channel_id, slot);


--
-- Name: weekly_posts uq_weekly_posts_channel_week; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.weekly_posts
    ADD CONSTRAINT uq_weekly_posts_channel_week UNIQUE (channel_id, week);


--
-- Name: weekly_posts weekly_posts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.weekly_posts
    ADD CONSTRAINT weekly_posts_pkey PRIMARY KEY (id);


--
-- Name: ix_answers_channel_time; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_answers_channel_time ON public.answers USING btree (channel_id, answered_at);


--
-- Name: ix_answers_channel_user_time; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_answers_channel_user_time ON public.answers USING btree (channel_id, user_id, answered_at);


--
-- Name: ix_answers_user; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_answers_user ON public.answers USING btree (user_id);


--
-- Name: ix_lookups_time; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_lookups_time ON public.lookups USING btree (looked_up_at);


--
-- Name: ix_practice_answers_user; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_practice_answers_user ON public.practice_answers USING btree (user_id, answered_at);


--
-- Name: ix_quizzes_channel_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_quizzes_channel_id ON public.quizzes USING btree (channel_id, id);


--
-- Name: ix_quizzes_state_closes; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_quizzes_state_closes ON public.quizzes USING btree (state, closes_at);


--
-- Name: answers answers_quiz_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.answers
    ADD CONSTRAINT answers_quiz_id_fkey FOREIGN KEY (quiz_id) REFERENCES public.quizzes(id);


--
-- PostgreSQL database dump complete
--

\unrestrict mGczIKzwody7Ik6vFn7xdKIG4ZzfXOG5fgxy04DNainArUwk5ez5kxdhZy5g1uT

