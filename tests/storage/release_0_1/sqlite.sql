PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE schema_version (
	version INTEGER NOT NULL, 
	applied_at DATETIME NOT NULL, 
	PRIMARY KEY (version)
);
INSERT INTO schema_version VALUES(1,'2026-11-27 13:05:33.281028');
CREATE TABLE schedules (
	channel_id VARCHAR(32) NOT NULL, 
	local_time VARCHAR(5) NOT NULL, 
	timezone VARCHAR(64) NOT NULL, 
	days VARCHAR(40) NOT NULL, 
	updated_by VARCHAR(32) NOT NULL, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (channel_id)
);
INSERT INTO schedules VALUES('C100','09:30','Europe/Berlin','mon-fri','U1','2026-11-23 08:30:00.000000');
INSERT INTO schedules VALUES('C200','08:00','UTC','daily','U2','2026-11-23 08:30:00.000000');
CREATE TABLE quizzes (
	id INTEGER NOT NULL, 
	channel_id VARCHAR(32) NOT NULL, 
	slot VARCHAR(32) NOT NULL, 
	term TEXT NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	prompt TEXT NOT NULL, 
	choices TEXT NOT NULL, 
	correct INTEGER NOT NULL, 
	state VARCHAR(16) NOT NULL, 
	message_ts VARCHAR(32), 
	claimed_by VARCHAR(64) NOT NULL, 
	claimed_at DATETIME NOT NULL, 
	posted_at DATETIME, 
	closes_at DATETIME NOT NULL, 
	closed_at DATETIME, 
	shown_count INTEGER DEFAULT '0' NOT NULL, 
	count_updated_at DATETIME, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_quizzes_channel_slot UNIQUE (channel_id, slot)
);
INSERT INTO quizzes VALUES(1,'C100','2026-11-23T09:30','Drain','term','A no-new-work posture','["Drain", "Cell", "RPO", "RTO"]',0,'posted','1763886600.000001','host:1:a','2026-11-23 08:30:00.000000','2026-11-23 08:30:00.000000','2026-11-23 18:30:00.000000',NULL,3,'2026-11-23 08:30:00.000000');
INSERT INTO quizzes VALUES(2,'C200','2026-11-23T08:00','Cell','trap','Cell','["t1", "t2", "t3", "t4"]',2,'claimed',NULL,'host:1:a','2026-11-23 08:30:00.000000',NULL,'2026-11-23 18:30:00.000000',NULL,0,NULL);
CREATE TABLE weekly_posts (
	id INTEGER NOT NULL, 
	channel_id VARCHAR(32) NOT NULL, 
	week VARCHAR(10) NOT NULL, 
	state VARCHAR(16) NOT NULL, 
	message_ts VARCHAR(32), 
	claimed_by VARCHAR(64) NOT NULL, 
	claimed_at DATETIME NOT NULL, 
	posted_at DATETIME, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_weekly_posts_channel_week UNIQUE (channel_id, week)
);
INSERT INTO weekly_posts VALUES(1,'C100','2026-W47','posted','1763886600.000009','host:1:a','2026-11-23 08:30:00.000000','2026-11-23 08:30:00.000000');
CREATE TABLE lookups (
	id INTEGER NOT NULL, 
	term TEXT, 
	miss VARCHAR(200), 
	looked_up_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);
INSERT INTO lookups VALUES(1,'Drain',NULL,'2026-11-23 08:30:00.000000');
INSERT INTO lookups VALUES(2,NULL,'draen thing','2026-11-23 08:30:00.000000');
CREATE TABLE practice_cards (
	user_id VARCHAR(32) NOT NULL, 
	term VARCHAR(200) NOT NULL, 
	box INTEGER NOT NULL, 
	due_at DATETIME NOT NULL, 
	misses INTEGER DEFAULT '0' NOT NULL, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (user_id, term)
);
INSERT INTO practice_cards VALUES('U1','Drain',2,'2026-11-24 08:30:00.000000',1,'2026-11-23 08:30:00.000000');
INSERT INTO practice_cards VALUES('U2','Cell',1,'2026-11-23 08:30:00.000000',2,'2026-11-23 08:30:00.000000');
CREATE TABLE practice_answers (
	id INTEGER NOT NULL, 
	user_id VARCHAR(32) NOT NULL, 
	term TEXT NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	correct BOOLEAN NOT NULL, 
	answered_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);
INSERT INTO practice_answers VALUES(1,'U1','Drain','term',1,'2026-11-23 08:30:00.000000');
INSERT INTO practice_answers VALUES(2,'U2','Cell','trap',0,'2026-11-23 08:30:00.000000');
CREATE TABLE answers (
	id INTEGER NOT NULL, 
	quiz_id INTEGER NOT NULL, 
	channel_id VARCHAR(32) NOT NULL, 
	user_id VARCHAR(32) NOT NULL, 
	choice INTEGER NOT NULL, 
	correct BOOLEAN NOT NULL, 
	answered_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_answers_quiz_user UNIQUE (quiz_id, user_id), 
	FOREIGN KEY(quiz_id) REFERENCES quizzes (id)
);
INSERT INTO answers VALUES(1,1,'C100','U1',0,1,'2026-11-23 08:30:00.000000');
INSERT INTO answers VALUES(2,1,'C100','U2',1,0,'2026-11-23 08:31:00.000000');
INSERT INTO answers VALUES(3,1,'C100','U3',2,0,'2026-11-23 08:32:00.000000');
CREATE INDEX ix_quizzes_state_closes ON quizzes (state, closes_at);
CREATE INDEX ix_quizzes_channel_id ON quizzes (channel_id, id);
CREATE INDEX ix_lookups_time ON lookups (looked_up_at);
CREATE INDEX ix_practice_answers_user ON practice_answers (user_id, answered_at);
CREATE INDEX ix_answers_user ON answers (user_id);
CREATE INDEX ix_answers_channel_time ON answers (channel_id, answered_at);
CREATE INDEX ix_answers_channel_user_time ON answers (channel_id, user_id, answered_at);
COMMIT;
