-- A database as the project made it before migrations (commit 80f892d: ensure_tables() and
-- friends), with a conversation, a booking request and its outbox rows, a handled Twilio
-- message, a staff user, session, tag, note, review mark and audit entry. Made by running
-- that commit's code on an empty database and dumping it; read by tests/test_migrations.py.
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE events (
	id INTEGER NOT NULL, 
	sender_id VARCHAR(255) NOT NULL, 
	type_name VARCHAR(255) NOT NULL, 
	timestamp FLOAT, 
	intent_name VARCHAR(255), 
	action_name VARCHAR(255), 
	data TEXT, 
	seq INTEGER, 
	PRIMARY KEY (id)
);
INSERT INTO events VALUES(1,'runner-before','action',1796092202.190378189,NULL,'action_listen','{"event": "action", "timestamp": 1796092202.1903782, "name": "action_listen", "policy": null, "confidence": null, "action_text": null, "hide_rule_turn": false}',1);
INSERT INTO events VALUES(2,'runner-before','user',1796092202.2183282375,'describe_symptoms',NULL,'{"event": "user", "timestamp": 1796092202.2183282, "text": "my knee hurts when I run downhill", "parse_data": {"intent": {"name": "describe_symptoms", "confidence": 0.91}, "entities": [], "text": "my knee hurts when I run downhill", "message_id": null, "metadata": {}}, "input_channel": null, "message_id": null, "metadata": {}}',2);
INSERT INTO events VALUES(3,'runner-before','action',1796092202.2183651924,NULL,'utter_ask_location','{"event": "action", "timestamp": 1796092202.2183652, "name": "utter_ask_location", "policy": null, "confidence": null, "action_text": null, "hide_rule_turn": false}',3);
INSERT INTO events VALUES(4,'runner-before','bot',1796092202.2183761596,NULL,NULL,'{"event": "bot", "timestamp": 1796092202.2183762, "text": "Where on your knee is the pain?", "data": {}, "metadata": {}}',4);
CREATE TABLE review_users (
	id INTEGER NOT NULL, 
	username VARCHAR(80) NOT NULL, 
	password_hash VARCHAR(255) NOT NULL, 
	is_admin BOOLEAN NOT NULL, 
	created_at DATETIME NOT NULL, 
	failed_logins INTEGER NOT NULL, 
	locked_until DATETIME, 
	PRIMARY KEY (id), 
	UNIQUE (username)
);
INSERT INTO review_users VALUES(1,'nora','$argon2id$v=19$m=65536,t=3,p=4$/wo7o7amqiPQ4XOlwsKPAw$3+gAOp/3l6wMjM9pZCT4FsiDpDPF31FlQDuRy8lERWw',0,'2026-12-01 02:30:03.066481',0,NULL);
CREATE TABLE review_login_throttle (
	"key" VARCHAR(200) NOT NULL, 
	failures INTEGER NOT NULL, 
	last_failure DATETIME, 
	lockouts INTEGER NOT NULL, 
	locked_until DATETIME, 
	PRIMARY KEY ("key")
);
CREATE TABLE review_reviewed (
	conversation_id VARCHAR(255) NOT NULL, 
	reviewed_by VARCHAR(80) NOT NULL, 
	reviewed_at DATETIME NOT NULL, 
	PRIMARY KEY (conversation_id)
);
INSERT INTO review_reviewed VALUES('runner-before','nora','2026-12-01 02:30:03.147688');
CREATE TABLE review_tags (
	conversation_id VARCHAR(255) NOT NULL, 
	tag VARCHAR(40) NOT NULL, 
	added_by VARCHAR(80) NOT NULL, 
	added_at DATETIME NOT NULL, 
	PRIMARY KEY (conversation_id, tag)
);
INSERT INTO review_tags VALUES('runner-before','needs-data','nora','2026-12-01 02:30:03.107250');
CREATE TABLE review_notes (
	id INTEGER NOT NULL, 
	conversation_id VARCHAR(255) NOT NULL, 
	author VARCHAR(80) NOT NULL, 
	body TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);
INSERT INTO review_notes VALUES(1,'runner-before','nora','Check the downhill advice.','2026-12-01 02:30:03.127233');
CREATE TABLE review_corrections (
	event_id INTEGER NOT NULL, 
	conversation_id VARCHAR(255) NOT NULL, 
	text TEXT NOT NULL, 
	predicted_intent VARCHAR(255), 
	intent VARCHAR(255) NOT NULL, 
	entities TEXT NOT NULL, 
	corrected_by VARCHAR(80) NOT NULL, 
	corrected_at DATETIME NOT NULL, 
	PRIMARY KEY (event_id)
);
CREATE TABLE review_audit_log (
	id INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	username VARCHAR(80) NOT NULL, 
	action VARCHAR(40) NOT NULL, 
	conversation_id VARCHAR(255), 
	detail TEXT NOT NULL, 
	PRIMARY KEY (id)
);
INSERT INTO review_audit_log VALUES(1,'2026-12-01 02:30:03.162472','nora','view','runner-before','');
CREATE TABLE review_wanted_answers (
	id INTEGER NOT NULL, 
	title VARCHAR(200) NOT NULL, 
	created_by VARCHAR(80) NOT NULL, 
	created_at DATETIME NOT NULL, 
	done_by VARCHAR(80), 
	done_at DATETIME, 
	PRIMARY KEY (id)
);
CREATE TABLE review_model_runs (
	id INTEGER NOT NULL, 
	status VARCHAR(20) NOT NULL, 
	started_by VARCHAR(80) NOT NULL, 
	started_at DATETIME NOT NULL, 
	finished_at DATETIME, 
	workdir TEXT NOT NULL, 
	model_path TEXT, 
	base_model TEXT, 
	corrections TEXT NOT NULL, 
	comparison TEXT, 
	error TEXT, 
	pid INTEGER, 
	heartbeat DATETIME, 
	PRIMARY KEY (id)
);
CREATE TABLE review_activations (
	id INTEGER NOT NULL, 
	model_path TEXT NOT NULL, 
	run_id INTEGER, 
	activated_by VARCHAR(80) NOT NULL, 
	activated_at DATETIME NOT NULL, 
	numbers TEXT NOT NULL, 
	servers TEXT NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE review_corrections_used (
	event_id INTEGER NOT NULL, 
	run_id INTEGER NOT NULL, 
	conversation_id VARCHAR(255) NOT NULL, 
	used_at DATETIME NOT NULL, 
	PRIMARY KEY (event_id)
);
CREATE TABLE review_sessions (
	token_hash VARCHAR(64) NOT NULL, 
	user_id INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	last_seen DATETIME NOT NULL, 
	PRIMARY KEY (token_hash), 
	FOREIGN KEY(user_id) REFERENCES review_users (id) ON DELETE CASCADE
);
INSERT INTO review_sessions VALUES('0a811a58f57b6dd4870754635d56bcb6447cfd7c3525f273b66c12823b1741ca',1,'2026-12-01 02:30:03.091729','2026-12-01 02:30:03.091729');
CREATE TABLE review_wanted_messages (
	event_id INTEGER NOT NULL, 
	wanted_id INTEGER NOT NULL, 
	conversation_id VARCHAR(255) NOT NULL, 
	PRIMARY KEY (event_id), 
	FOREIGN KEY(wanted_id) REFERENCES review_wanted_answers (id) ON DELETE CASCADE
);
CREATE TABLE booking_requests (
	id INTEGER NOT NULL, 
	conversation_id VARCHAR(255) NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	name VARCHAR(200), 
	contact VARCHAR(254), 
	preferred_time DATETIME, 
	reason TEXT, 
	status VARCHAR(16) DEFAULT 'new' NOT NULL, 
	channel VARCHAR(64), 
	consent_at DATETIME, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	dedup_key VARCHAR(64) NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT booking_requests_kind CHECK (kind IN ('booking', 'change', 'cancel', 'human')), 
	CONSTRAINT booking_requests_status CHECK (status IN ('new', 'contacted', 'booked', 'cancelled')), 
	UNIQUE (dedup_key)
);
INSERT INTO booking_requests VALUES(1,'runner-before','booking','Sam Jones','+447911123456','2026-11-24 10:00:00.000000','pain at the front of the knee','new','rest','2026-12-01 02:30:02.657155','2026-12-01 02:30:02.657155','2026-12-01 02:30:02.657155','d755c8ef1cd570bb8b753be9b4b804480bcbe8ba491386b6cf399f7e9b32ea8e');
CREATE TABLE booking_deliveries (
	id INTEGER NOT NULL, 
	request_id INTEGER NOT NULL, 
	method VARCHAR(16) NOT NULL, 
	payload TEXT NOT NULL, 
	status VARCHAR(16) DEFAULT 'pending' NOT NULL, 
	attempts INTEGER DEFAULT '0' NOT NULL, 
	next_attempt_at DATETIME NOT NULL, 
	locked_until DATETIME, 
	last_error TEXT, 
	created_at DATETIME NOT NULL, 
	delivered_at DATETIME, 
	PRIMARY KEY (id), 
	CONSTRAINT booking_deliveries_once UNIQUE (request_id, method), 
	FOREIGN KEY(request_id) REFERENCES booking_requests (id)
);
INSERT INTO booking_deliveries VALUES(1,1,'webhook','{"channel": "rest", "consent_at": "2026-12-01T02:30:02.657155+00:00", "contact": "+447911123456", "conversation_id": "runner-before", "created_at": "2026-12-01T02:30:02.657155+00:00", "id": 1, "kind": "booking", "name": "Sam Jones", "preferred_time": "2026-11-24T10:00:00+00:00", "reason": "pain at the front of the knee", "status": "new", "updated_at": "2026-12-01T02:30:02.657155+00:00"}','pending',0,'2026-12-01 02:30:02.694043',NULL,NULL,'2026-12-01 02:30:02.694043',NULL);
INSERT INTO booking_deliveries VALUES(2,1,'email','{"channel": "rest", "consent_at": "2026-12-01T02:30:02.657155+00:00", "contact": "+447911123456", "conversation_id": "runner-before", "created_at": "2026-12-01T02:30:02.657155+00:00", "id": 1, "kind": "booking", "name": "Sam Jones", "preferred_time": "2026-11-24T10:00:00+00:00", "reason": "pain at the front of the knee", "status": "new", "updated_at": "2026-12-01T02:30:02.657155+00:00"}','pending',0,'2026-12-01 02:30:02.694043',NULL,NULL,'2026-12-01 02:30:02.694043',NULL);
CREATE TABLE channel_handled_messages (
	channel VARCHAR(16) NOT NULL, 
	message_id VARCHAR(64) NOT NULL, 
	received_at DATETIME NOT NULL, 
	PRIMARY KEY (channel, message_id)
);
INSERT INTO channel_handled_messages VALUES('twilio','SM0123456789abcdef','2026-12-01 02:30:02.754643');
CREATE INDEX ix_events_sender_id ON events (sender_id);
CREATE UNIQUE INDEX events_sender_seq ON events (sender_id, seq);
CREATE INDEX ix_review_notes_conversation_id ON review_notes (conversation_id);
CREATE INDEX ix_review_corrections_conversation_id ON review_corrections (conversation_id);
CREATE INDEX ix_review_audit_log_at ON review_audit_log (at);
CREATE INDEX ix_review_corrections_used_conversation_id ON review_corrections_used (conversation_id);
CREATE INDEX ix_review_wanted_messages_conversation_id ON review_wanted_messages (conversation_id);
CREATE INDEX ix_review_wanted_messages_wanted_id ON review_wanted_messages (wanted_id);
CREATE INDEX ix_booking_requests_conversation_id ON booking_requests (conversation_id);
COMMIT;
