BEGIN TRANSACTION;
CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
INSERT INTO "alembic_version" VALUES('0001');
CREATE TABLE area_assignments (
	id INTEGER NOT NULL, 
	officer_id INTEGER NOT NULL, 
	unit_id INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_area_assignments PRIMARY KEY (id), 
	CONSTRAINT fk_area_assignments_officer_id_officers FOREIGN KEY(officer_id) REFERENCES officers (id) ON DELETE CASCADE, 
	CONSTRAINT fk_area_assignments_unit_id_units FOREIGN KEY(unit_id) REFERENCES units (id) ON DELETE CASCADE, 
	CONSTRAINT uq_area_assignments_officer_id UNIQUE (officer_id, unit_id)
);
CREATE TABLE assignments (
	id INTEGER NOT NULL, 
	event_id INTEGER NOT NULL, 
	officer_id INTEGER, 
	unit_id INTEGER, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_assignments PRIMARY KEY (id), 
	CONSTRAINT fk_assignments_event_id_events FOREIGN KEY(event_id) REFERENCES events (id) ON DELETE CASCADE, 
	CONSTRAINT fk_assignments_officer_id_officers FOREIGN KEY(officer_id) REFERENCES officers (id) ON DELETE CASCADE, 
	CONSTRAINT fk_assignments_unit_id_units FOREIGN KEY(unit_id) REFERENCES units (id) ON DELETE CASCADE, 
	CONSTRAINT uq_assignments_event_id UNIQUE (event_id, officer_id, unit_id)
);
INSERT INTO "assignments" VALUES(1,37,1,NULL,'2024-05-21 00:59:00.000000');
CREATE TABLE completions (
	id INTEGER NOT NULL, 
	event_id INTEGER NOT NULL, 
	officer_id INTEGER, 
	at DATETIME NOT NULL, 
	note TEXT, 
	channel VARCHAR(16) NOT NULL, 
	withdrawn_at DATETIME, 
	withdrawn_by_id INTEGER, 
	CONSTRAINT pk_completions PRIMARY KEY (id), 
	CONSTRAINT fk_completions_event_id_events FOREIGN KEY(event_id) REFERENCES events (id) ON DELETE CASCADE, 
	CONSTRAINT fk_completions_officer_id_officers FOREIGN KEY(officer_id) REFERENCES officers (id) ON DELETE SET NULL, 
	CONSTRAINT fk_completions_withdrawn_by_id_officers FOREIGN KEY(withdrawn_by_id) REFERENCES officers (id) ON DELETE SET NULL
);
CREATE TABLE events (
	id INTEGER NOT NULL, 
	uid VARCHAR(255) NOT NULL, 
	source VARCHAR(16) NOT NULL, 
	plan_id INTEGER, 
	month INTEGER, 
	section VARCHAR(16), 
	kind VARCHAR(16) NOT NULL, 
	title TEXT NOT NULL, 
	text TEXT NOT NULL, 
	start_date DATE NOT NULL, 
	end_date DATE NOT NULL, 
	due_date DATE, 
	all_day BOOLEAN NOT NULL, 
	start_at DATETIME, 
	end_at DATETIME, 
	conditional BOOLEAN NOT NULL, 
	"references" JSON NOT NULL, 
	observance_key VARCHAR(64), 
	unit_id INTEGER, 
	status VARCHAR(16) NOT NULL, 
	revision INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	cancelled_at DATETIME, 
	CONSTRAINT pk_events PRIMARY KEY (id), 
	CONSTRAINT fk_events_plan_id_plans FOREIGN KEY(plan_id) REFERENCES plans (id) ON DELETE SET NULL, 
	CONSTRAINT fk_events_unit_id_units FOREIGN KEY(unit_id) REFERENCES units (id) ON DELETE SET NULL, 
	CONSTRAINT uq_events_uid UNIQUE (uid)
);
INSERT INTO "events" VALUES(1,'obs-giao-thua-2024@lichct','observance',NULL,NULL,NULL,'observance','Đêm Giao thừa','Đêm Giao thừa: Thứ Sáu 09/02/2024, tức ngày 30 tháng Chạp năm Quý Mão (âm lịch).','2024-02-09','2024-02-09','2024-02-09',1,NULL,NULL,0,'[]','giao-thua',1,'planned',0,'2024-05-21 00:59:00.000000','2024-05-21 00:59:00.000000',NULL);
INSERT INTO "events" VALUES(2,'obs-tet-nguyen-dan-2024@lichct','observance',NULL,NULL,NULL,'observance','Tết Nguyên đán','Tết Nguyên đán: Thứ Bảy 10/02/2024 – Thứ Hai 12/02/2024, tức mùng 1 tháng Giêng năm Giáp Thìn (âm lịch).','2024-02-10','2024-02-12','2024-02-10',1,NULL,NULL,0,'[]','tet-nguyen-dan',1,'planned',0,'2024-05-21 00:59:00.000000','2024-05-21 00:59:00.000000',NULL);
INSERT INTO "events" VALUES(3,'obs-duc-chi-ton-2024@lichct','observance',NULL,NULL,NULL,'observance','Đại lễ Đức Chí Tôn','Đại lễ Đức Chí Tôn (Cao Đài): Thứ Bảy 17/02/2024, tức mùng 8 tháng Giêng năm Giáp Thìn (âm lịch).','2024-02-17','2024-02-17','2024-02-17',1,NULL,NULL,0,'[]','duc-chi-ton',3,'planned',0,'2024-05-21 00:59:00.000000','2024-05-21 00:59:00.000000',NULL);
INSERT INTO "events" VALUES(4,'obs-ram-thang-gieng-2024@lichct','observance',NULL,NULL,NULL,'observance','Rằm tháng Giêng','Rằm tháng Giêng (Phật giáo, Cao Đài): Thứ Bảy 24/02/2024, tức rằm tháng Giêng năm Giáp Thìn (âm lịch).','2024-02-24','2024-02-24','2024-02-24',1,NULL,NULL,0,'[]','ram-thang-gieng',3,'planned',0,'2024-05-21 00:59:00.000000','2024-05-21 00:59:00.000000',NULL);
INSERT INTO "events" VALUES(5,'obs-ramadan-2024@lichct','observance',NULL,NULL,NULL,'observance','Tháng Ramadan','Tháng Ramadan (Hồi giáo (người Chăm)): Thứ Hai 11/03/2024 – Thứ Ba 09/04/2024, tức mùng 2 tháng Hai năm Giáp Thìn (âm lịch).','2024-03-11','2024-04-09','2024-03-11',1,NULL,NULL,0,'[]','ramadan',3,'planned',0,'2024-05-21 00:59:00.000000','2024-05-21 00:59:00.000000',NULL);
INSERT INTO "events" VALUES(6,'obs-phuc-sinh-2024@lichct','observance',NULL,NULL,NULL,'observance','Lễ Phục sinh','Lễ Phục sinh (Công giáo, Tin Lành): Chủ nhật 31/03/2024, tức ngày 22 tháng Hai năm Giáp Thìn (âm lịch).','2024-03-31','2024-03-31','2024-03-31',1,NULL,NULL,0,'[]','phuc-sinh',3,'planned',0,'2024-05-21 00:59:00.000000','2024-05-21 00:59:00.000000',NULL);
INSERT INTO "events" VALUES(7,'obs-chol-chnam-thmay-2024@lichct','observance',NULL,NULL,NULL,'observance','Tết Chol Chnam Thmay','Tết Chol Chnam Thmay (Dân tộc Khmer): Chủ nhật 14/04/2024 – Thứ Ba 16/04/2024, tức mùng 6 tháng Ba năm Giáp Thìn (âm lịch).','2024-04-14','2024-04-16','2024-04-14',1,NULL,NULL,0,'[]','chol-chnam-thmay',3,'planned',0,'2024-05-21 00:59:00.000000','2024-05-21 00:59:00.000000',NULL);
INSERT INTO "events" VALUES(8,'obs-phat-dan-2024@lichct','observance',NULL,NULL,NULL,'observance','Đại lễ Phật đản','Đại lễ Phật đản (Phật giáo): Thứ Tư 22/05/2024, tức rằm tháng Tư năm Giáp Thìn (âm lịch).','2024-05-22','2024-05-22','2024-05-22',1,NULL,NULL,0,'[]','phat-dan',3,'planned',0,'2024-05-21 00:59:00.000000','2024-05-21 00:59:00.000000',NULL);
INSERT INTO "events" VALUES(9,'obs-via-ba-2024@lichct','observance',NULL,NULL,NULL,'observance','Lễ hội Vía Bà Linh Sơn Thánh Mẫu','Lễ hội Vía Bà Linh Sơn Thánh Mẫu (Tín ngưỡng dân gian): Chủ nhật 09/06/2024 – Thứ Ba 11/06/2024, tức mùng 4 tháng Năm năm Giáp Thìn (âm lịch).','2024-06-09','2024-06-11','2024-06-09',1,NULL,NULL,0,'[]','via-ba',3,'planned',0,'2024-05-21 00:59:00.000000','2024-05-21 00:59:00.000000',NULL);
INSERT INTO "events" VALUES(10,'obs-khai-dao-hoa-hao-2024@lichct','observance',NULL,NULL,NULL,'observance','Đại lễ Khai đạo Phật giáo Hòa Hảo','Đại lễ Khai đạo Phật giáo Hòa Hảo (Phật giáo Hòa Hảo): Chủ nhật 23/06/2024, tức ngày 18 tháng Năm năm Giáp Thìn (âm lịch).','2024-06-23','2024-06-23','2024-06-23',1,NULL,NULL,0,'[]','khai-dao-hoa-hao',3,'planned',0,'2024-05-21 00:59:00.000000','2024-05-21 00:59:00.000000',NULL);
INSERT INTO "events" VALUES(11,'obs-vu-lan-2024@lichct','observance',NULL,NULL,NULL,'observance','Lễ Vu Lan','Lễ Vu Lan (Phật giáo): Chủ nhật 18/08/2024, tức rằm tháng Bảy năm Giáp Thìn (âm lịch).','2024-08-18','2024-08-18','2024-08-18',1,NULL,NULL,0,'[]','vu-lan',3,'planned',0,'2024-05-21 00:59:00.000000','2024-05-21 00:59:00.000000',NULL);
INSERT INTO "events" VALUES(12,'obs-hoi-yen-dieu-tri-cung-2024@lichct','observance',NULL,NULL,NULL,'observance','Đại lễ Hội Yến Diêu Trì Cung','Đại lễ Hội Yến Diêu Trì Cung (Cao Đài): Thứ Ba 17/09/2024, tức rằm tháng Tám năm Giáp Thìn (âm lịch).','2024-09-17','2024-09-17','2024-09-17',1,NULL,NULL,0,'[]','hoi-yen-dieu-tri-cung',3,'planned',0,'2024-05-21 00:59:00.000000','2024-05-21 00:59:00.000000',NULL);
INSERT INTO "events" VALUES(13,'obs-sen-don-ta-2024@lichct','observance',NULL,NULL,NULL,'observance','Lễ Sen Đôn-ta','Lễ Sen Đôn-ta (Dân tộc Khmer): Thứ Ba 01/10/2024 – Thứ Năm 03/10/2024, tức ngày 29 tháng Tám năm Giáp Thìn (âm lịch).','2024-10-01','2024-10-03','2024-10-01',1,NULL,NULL,0,'[]','sen-don-ta',3,'planned',0,'2024-05-21 00:59:00.000000','2024-05-21 00:59:00.000000',NULL);
INSERT INTO "events" VALUES(14,'obs-truyen-thong-dan-van-2024@lichct','observance',NULL,NULL,NULL,'observance','Ngày truyền thống công tác dân vận','Ngày truyền thống công tác dân vận: Thứ Ba 15/10/2024, tức ngày 13 tháng Chín năm Giáp Thìn (âm lịch).','2024-10-15','2024-10-15','2024-10-15',1,NULL,NULL,0,'[]','truyen-thong-dan-van',1,'planned',0,'2024-05-21 00:59:00.000000','2024-05-21 00:59:00.000000',NULL);
INSERT INTO "events" VALUES(15,'obs-khai-dao-2024@lichct','observance',NULL,NULL,NULL,'observance','Đại lễ Hoàng khai Đại đạo Tam kỳ Phổ độ','Đại lễ Hoàng khai Đại đạo Tam kỳ Phổ độ (Cao Đài): Thứ Sáu 15/11/2024, tức rằm tháng Mười năm Giáp Thìn (âm lịch).','2024-11-15','2024-11-15','2024-11-15',1,NULL,NULL,0,'[]','khai-dao',3,'planned',0,'2024-05-21 00:59:00.000000','2024-05-21 00:59:00.000000',NULL);
INSERT INTO "events" VALUES(16,'obs-ok-om-bok-2024@lichct','observance',NULL,NULL,NULL,'observance','Lễ Ok Om Bok','Lễ Ok Om Bok (Dân tộc Khmer): Thứ Sáu 15/11/2024, tức rằm tháng Mười năm Giáp Thìn (âm lịch).','2024-11-15','2024-11-15','2024-11-15',1,NULL,NULL,0,'[]','ok-om-bok',3,'planned',0,'2024-05-21 00:59:00.000000','2024-05-21 00:59:00.000000',NULL);
INSERT INTO "events" VALUES(17,'obs-dai-doan-ket-2024@lichct','observance',NULL,NULL,NULL,'observance','Ngày hội Đại đoàn kết toàn dân tộc','Ngày hội Đại đoàn kết toàn dân tộc: Thứ Hai 18/11/2024, tức ngày 18 tháng Mười năm Giáp Thìn (âm lịch).','2024-11-18','2024-11-18','2024-11-18',1,NULL,NULL,0,'[]','dai-doan-ket',2,'planned',0,'2024-05-21 00:59:00.000000','2024-05-21 00:59:00.000000',NULL);
INSERT INTO "events" VALUES(18,'obs-giang-sinh-2024@lichct','observance',NULL,NULL,NULL,'observance','Lễ Giáng sinh','Lễ Giáng sinh (Công giáo, Tin Lành): Thứ Ba 24/12/2024 – Thứ Tư 25/12/2024, tức ngày 24 tháng Mười Một năm Giáp Thìn (âm lịch).','2024-12-24','2024-12-25','2024-12-24',1,NULL,NULL,0,'[]','giang-sinh',3,'planned',0,'2024-05-21 00:59:00.000000','2024-05-21 00:59:00.000000',NULL);
INSERT INTO "events" VALUES(19,'obs-giao-thua-2025@lichct','observance',NULL,NULL,NULL,'observance','Đêm Giao thừa','Đêm Giao thừa: Thứ Ba 28/01/2025, tức ngày 29 tháng Chạp năm Giáp Thìn (âm lịch).','2025-01-28','2025-01-28','2025-01-28',1,NULL,NULL,0,'[]','giao-thua',1,'planned',0,'2024-05-21 00:59:00.000000','2024-05-21 00:59:00.000000',NULL);
INSERT INTO "events" VALUES(20,'obs-tet-nguyen-dan-2025@lichct','observance',NULL,NULL,NULL,'observance','Tết Nguyên đán','Tết Nguyên đán: Thứ Tư 29/01/2025 – Thứ Sáu 31/01/2025, tức mùng 1 tháng Giêng năm Ất Tỵ (âm lịch).','2025-01-29','2025-01-31','2025-01-29',1,NULL,NULL,0,'[]','tet-nguyen-dan',1,'planned',0,'2024-05-21 00:59:00.000000','2024-05-21 00:59:00.000000',NULL);
INSERT INTO "events" VALUES(21,'obs-duc-chi-ton-2025@lichct','observance',NULL,NULL,NULL,'observance','Đại lễ Đức Chí Tôn','Đại lễ Đức Chí Tôn (Cao Đài): Thứ Tư 05/02/2025, tức mùng 8 tháng Giêng năm Ất Tỵ (âm lịch).','2025-02-05','2025-02-05','2025-02-05',1,NULL,NULL,0,'[]','duc-chi-ton',3,'planned',0,'2024-05-21 00:59:00.000000','2024-05-21 00:59:00.000000',NULL);
INSERT INTO "events" VALUES(22,'obs-ram-thang-gieng-2025@lichct','observance',NULL,NULL,NULL,'observance','Rằm tháng Giêng','Rằm tháng Giêng (Phật giáo, Cao Đài): Thứ Tư 12/02/2025, tức rằm tháng Giêng năm Ất Tỵ (âm lịch).','2025-02-12','2025-02-12','2025-02-12',1,NULL,NULL,0,'[]','ram-thang-gieng',3,'planned',0,'2024-05-21 00:59:00.000000','2024-05-21 00:59:00.000000',NULL);
INSERT INTO "events" VALUES(23,'obs-ramadan-2025@lichct','observance',NULL,NULL,NULL,'observance','Tháng Ramadan','Tháng Ramadan (Hồi giáo (người Chăm)): Thứ Bảy 01/03/2025 – Thứ Bảy 29/03/2025, tức mùng 2 tháng Hai năm Ất Tỵ (âm lịch).','2025-03-01','2025-03-29','2025-03-01',1,NULL,NULL,0,'[]','ramadan',3,'planned',0,'2024-05-21 00:59:00.000000','2024-05-21 00:59:00.000000',NULL);
INSERT INTO "events" VALUES(24,'obs-chol-chnam-thmay-2025@lichct','observance',NULL,NULL,NULL,'observance','Tết Chol Chnam Thmay','Tết Chol Chnam Thmay (Dân tộc Khmer): Thứ Hai 14/04/2025 – Thứ Tư 16/04/2025, tức ngày 17 tháng Ba năm Ất Tỵ (âm lịch).','2025-04-14','2025-04-16','2025-04-14',1,NULL,NULL,0,'[]','chol-chnam-thmay',3,'planned',0,'2024-05-21 00:59:00.000000','2024-05-21 00:59:00.000000',NULL);
INSERT INTO "events" VALUES(25,'obs-phuc-sinh-2025@lichct','observance',NULL,NULL,NULL,'observance','Lễ Phục sinh','Lễ Phục sinh (Công giáo, Tin Lành): Chủ nhật 20/04/2025, tức ngày 23 tháng Ba năm Ất Tỵ (âm lịch).','2025-04-20','2025-04-20','2025-04-20',1,NULL,NULL,0,'[]','phuc-sinh',3,'planned',0,'2024-05-21 00:59:00.000000','2024-05-21 00:59:00.000000',NULL);
INSERT INTO "events" VALUES(26,'obs-phat-dan-2025@lichct','observance',NULL,NULL,NULL,'observance','Đại lễ Phật đản','Đại lễ Phật đản (Phật giáo): Thứ Hai 12/05/2025, tức rằm tháng Tư năm Ất Tỵ (âm lịch).','2025-05-12','2025-05-12','2025-05-12',1,NULL,NULL,0,'[]','phat-dan',3,'planned',0,'2024-05-21 00:59:00.000000','2024-05-21 00:59:00.000000',NULL);
INSERT INTO "events" VALUES(27,'obs-via-ba-2025@lichct','observance',NULL,NULL,NULL,'observance','Lễ hội Vía Bà Linh Sơn Thánh Mẫu','Lễ hội Vía Bà Linh Sơn Thánh Mẫu (Tín ngưỡng dân gian): Thứ Sáu 30/05/2025 – Chủ nhật 01/06/2025, tức mùng 4 tháng Năm năm Ất Tỵ (âm lịch).','2025-05-30','2025-06-01','2025-05-30',1,NULL,NULL,0,'[]','via-ba',3,'planned',0,'2024-05-21 00:59:00.000000','2024-05-21 00:59:00.000000',NULL);
INSERT INTO "events" VALUES(28,'obs-khai-dao-hoa-hao-2025@lichct','observance',NULL,NULL,NULL,'observance','Đại lễ Khai đạo Phật giáo Hòa Hảo','Đại lễ Khai đạo Phật giáo Hòa Hảo (Phật giáo Hòa Hảo): Thứ Sáu 13/06/2025, tức ngày 18 tháng Năm năm Ất Tỵ (âm lịch).','2025-06-13','2025-06-13','2025-06-13',1,NULL,NULL,0,'[]','khai-dao-hoa-hao',3,'planned',0,'2024-05-21 00:59:00.000000','2024-05-21 00:59:00.000000',NULL);
INSERT INTO "events" VALUES(29,'obs-vu-lan-2025@lichct','observance',NULL,NULL,NULL,'observance','Lễ Vu Lan','Lễ Vu Lan (Phật giáo): Thứ Bảy 06/09/2025, tức rằm tháng Bảy năm Ất Tỵ (âm lịch).','2025-09-06','2025-09-06','2025-09-06',1,NULL,NULL,0,'[]','vu-lan',3,'planned',0,'2024-05-21 00:59:00.000000','2024-05-21 00:59:00.000000',NULL);
INSERT INTO "events" VALUES(30,'obs-hoi-yen-dieu-tri-cung-2025@lichct','observance',NULL,NULL,NULL,'observance','Đại lễ Hội Yến Diêu Trì Cung','Đại lễ Hội Yến Diêu Trì Cung (Cao Đài): Thứ Hai 06/10/2025, tức rằm tháng Tám năm Ất Tỵ (âm lịch).','2025-10-06','2025-10-06','2025-10-06',1,NULL,NULL,0,'[]','hoi-yen-dieu-tri-cung',3,'planned',0,'2024-05-21 00:59:00.000000','2024-05-21 00:59:00.000000',NULL);
INSERT INTO "events" VALUES(31,'obs-truyen-thong-dan-van-2025@lichct','observance',NULL,NULL,NULL,'observance','Ngày truyền thống công tác dân vận','Ngày truyền thống công tác dân vận: Thứ Tư 15/10/2025, tức ngày 24 tháng Tám năm Ất Tỵ (âm lịch).','2025-10-15','2025-10-15','2025-10-15',1,NULL,NULL,0,'[]','truyen-thong-dan-van',1,'planned',0,'2024-05-21 00:59:00.000000','2024-05-21 00:59:00.000000',NULL);
INSERT INTO "events" VALUES(32,'obs-sen-don-ta-2025@lichct','observance',NULL,NULL,NULL,'observance','Lễ Sen Đôn-ta','Lễ Sen Đôn-ta (Dân tộc Khmer): Thứ Hai 20/10/2025 – Thứ Ba 21/10/2025, tức ngày 29 tháng Tám năm Ất Tỵ (âm lịch).','2025-10-20','2025-10-21','2025-10-20',1,NULL,NULL,0,'[]','sen-don-ta',3,'planned',0,'2024-05-21 00:59:00.000000','2024-05-21 00:59:00.000000',NULL);
INSERT INTO "events" VALUES(33,'obs-dai-doan-ket-2025@lichct','observance',NULL,NULL,NULL,'observance','Ngày hội Đại đoàn kết toàn dân tộc','Ngày hội Đại đoàn kết toàn dân tộc: Thứ Ba 18/11/2025, tức ngày 29 tháng Chín năm Ất Tỵ (âm lịch).','2025-11-18','2025-11-18','2025-11-18',1,NULL,NULL,0,'[]','dai-doan-ket',2,'planned',0,'2024-05-21 00:59:00.000000','2024-05-21 00:59:00.000000',NULL);
INSERT INTO "events" VALUES(34,'obs-khai-dao-2025@lichct','observance',NULL,NULL,NULL,'observance','Đại lễ Hoàng khai Đại đạo Tam kỳ Phổ độ','Đại lễ Hoàng khai Đại đạo Tam kỳ Phổ độ (Cao Đài): Thứ Năm 04/12/2025, tức rằm tháng Mười năm Ất Tỵ (âm lịch).','2025-12-04','2025-12-04','2025-12-04',1,NULL,NULL,0,'[]','khai-dao',3,'planned',0,'2024-05-21 00:59:00.000000','2024-05-21 00:59:00.000000',NULL);
INSERT INTO "events" VALUES(35,'obs-ok-om-bok-2025@lichct','observance',NULL,NULL,NULL,'observance','Lễ Ok Om Bok','Lễ Ok Om Bok (Dân tộc Khmer): Thứ Năm 04/12/2025, tức rằm tháng Mười năm Ất Tỵ (âm lịch).','2025-12-04','2025-12-04','2025-12-04',1,NULL,NULL,0,'[]','ok-om-bok',3,'planned',0,'2024-05-21 00:59:00.000000','2024-05-21 00:59:00.000000',NULL);
INSERT INTO "events" VALUES(36,'obs-giang-sinh-2025@lichct','observance',NULL,NULL,NULL,'observance','Lễ Giáng sinh','Lễ Giáng sinh (Công giáo, Tin Lành): Thứ Tư 24/12/2025 – Thứ Năm 25/12/2025, tức mùng 5 tháng Mười Một năm Ất Tỵ (âm lịch).','2025-12-24','2025-12-25','2025-12-24',1,NULL,NULL,0,'[]','giang-sinh',3,'planned',0,'2024-05-21 00:59:00.000000','2024-05-21 00:59:00.000000',NULL);
INSERT INTO "events" VALUES(37,'adhoc-37-1716253140@lichct','adhoc',NULL,NULL,NULL,'report','Báo cáo công tác dân vận tháng 5/2024','Báo cáo công tác dân vận tháng 5/2024','2024-05-31','2024-05-31','2024-05-31',1,NULL,NULL,0,'[]',NULL,NULL,'planned',1,'2024-05-21 00:59:00.000000','2024-05-21 00:59:00.000000',NULL);
CREATE TABLE feed_tokens (
	id INTEGER NOT NULL, 
	officer_id INTEGER NOT NULL, 
	token_hash VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	revoked_at DATETIME, 
	CONSTRAINT pk_feed_tokens PRIMARY KEY (id), 
	CONSTRAINT fk_feed_tokens_officer_id_officers FOREIGN KEY(officer_id) REFERENCES officers (id) ON DELETE CASCADE, 
	CONSTRAINT uq_feed_tokens_token_hash UNIQUE (token_hash)
);
CREATE TABLE link_codes (
	id INTEGER NOT NULL, 
	officer_id INTEGER, 
	unit_id INTEGER, 
	code_hash VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	expires_at DATETIME NOT NULL, 
	used_at DATETIME, 
	CONSTRAINT pk_link_codes PRIMARY KEY (id), 
	CONSTRAINT fk_link_codes_officer_id_officers FOREIGN KEY(officer_id) REFERENCES officers (id) ON DELETE CASCADE, 
	CONSTRAINT fk_link_codes_unit_id_units FOREIGN KEY(unit_id) REFERENCES units (id) ON DELETE CASCADE, 
	CONSTRAINT uq_link_codes_code_hash UNIQUE (code_hash)
);
CREATE TABLE officers (
	id INTEGER NOT NULL, 
	name VARCHAR(255) NOT NULL, 
	search_name VARCHAR(255) NOT NULL, 
	email VARCHAR(320), 
	unit_id INTEGER, 
	role VARCHAR(16) NOT NULL, 
	telegram_chat_id BIGINT, 
	channels VARCHAR(64) NOT NULL, 
	preferences JSON NOT NULL, 
	active BOOLEAN NOT NULL, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_officers PRIMARY KEY (id), 
	CONSTRAINT fk_officers_unit_id_units FOREIGN KEY(unit_id) REFERENCES units (id) ON DELETE SET NULL, 
	CONSTRAINT uq_officers_telegram_chat_id UNIQUE (telegram_chat_id)
);
INSERT INTO "officers" VALUES(1,'Nguyễn Văn An','nguyen van an','an@tayninh.gov.vn',2,'officer',NULL,'telegram,email','{}',1,'2024-05-21 00:59:00.000000');
CREATE TABLE plans (
	id INTEGER NOT NULL, 
	year INTEGER NOT NULL, 
	number VARCHAR(64) NOT NULL, 
	title VARCHAR(500) NOT NULL, 
	source_name VARCHAR(500) NOT NULL, 
	source_hash VARCHAR(64) NOT NULL, 
	imported_at DATETIME NOT NULL, 
	CONSTRAINT pk_plans PRIMARY KEY (id), 
	CONSTRAINT uq_plans_year UNIQUE (year, number)
);
CREATE TABLE reminders (
	id INTEGER NOT NULL, 
	"key" VARCHAR(255) NOT NULL, 
	event_id INTEGER, 
	officer_id INTEGER, 
	unit_id INTEGER, 
	channel VARCHAR(16) NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	lead VARCHAR(32) NOT NULL, 
	due_at DATETIME NOT NULL, 
	state VARCHAR(16) NOT NULL, 
	attempts INTEGER NOT NULL, 
	next_attempt_at DATETIME NOT NULL, 
	lease_until DATETIME, 
	last_error TEXT, 
	sent_at DATETIME, 
	payload JSON NOT NULL, 
	external_id VARCHAR(128), 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	CONSTRAINT pk_reminders PRIMARY KEY (id), 
	CONSTRAINT fk_reminders_event_id_events FOREIGN KEY(event_id) REFERENCES events (id) ON DELETE CASCADE, 
	CONSTRAINT fk_reminders_officer_id_officers FOREIGN KEY(officer_id) REFERENCES officers (id) ON DELETE CASCADE, 
	CONSTRAINT fk_reminders_unit_id_units FOREIGN KEY(unit_id) REFERENCES units (id) ON DELETE CASCADE, 
	CONSTRAINT uq_reminders_key UNIQUE ("key")
);
INSERT INTO "reminders" VALUES(1,'ev:37:of:1:email:P7D',37,1,NULL,'email','lead','P7D','2024-05-24 01:00:00.000000','pending',0,'2024-05-24 01:00:00.000000',NULL,NULL,NULL,'{"days": 7}',NULL,'2024-05-21 00:59:00.000000','2024-05-21 00:59:00.000000');
INSERT INTO "reminders" VALUES(2,'ev:37:of:1:email:P3D',37,1,NULL,'email','lead','P3D','2024-05-28 01:00:00.000000','pending',0,'2024-05-28 01:00:00.000000',NULL,NULL,NULL,'{"days": 3}',NULL,'2024-05-21 00:59:00.000000','2024-05-21 00:59:00.000000');
INSERT INTO "reminders" VALUES(3,'ev:37:of:1:email:P1D',37,1,NULL,'email','lead','P1D','2024-05-30 01:00:00.000000','pending',0,'2024-05-30 01:00:00.000000',NULL,NULL,NULL,'{"days": 1}',NULL,'2024-05-21 00:59:00.000000','2024-05-21 00:59:00.000000');
INSERT INTO "reminders" VALUES(4,'ev:37:of:1:email:P0D',37,1,NULL,'email','due','P0D','2024-05-31 00:30:00.000000','pending',0,'2024-05-31 00:30:00.000000',NULL,NULL,NULL,'{"days": 0}',NULL,'2024-05-21 00:59:00.000000','2024-05-21 00:59:00.000000');
CREATE TABLE service_state (
	"key" VARCHAR(64) NOT NULL, 
	value TEXT NOT NULL, 
	updated_at DATETIME NOT NULL, 
	CONSTRAINT pk_service_state PRIMARY KEY ("key")
);
CREATE TABLE units (
	id INTEGER NOT NULL, 
	code VARCHAR(64) NOT NULL, 
	name VARCHAR(255) NOT NULL, 
	kind VARCHAR(32) NOT NULL, 
	parent_id INTEGER, 
	valid_from INTEGER, 
	valid_to INTEGER, 
	source VARCHAR(64), 
	telegram_chat_id BIGINT, 
	CONSTRAINT pk_units PRIMARY KEY (id), 
	CONSTRAINT fk_units_parent_id_units FOREIGN KEY(parent_id) REFERENCES units (id) ON DELETE SET NULL, 
	CONSTRAINT uq_units_code UNIQUE (code), 
	CONSTRAINT uq_units_telegram_chat_id UNIQUE (telegram_chat_id)
);
INSERT INTO "units" VALUES(1,'bdvtu','Ban Dân vận Tỉnh ủy Tây Ninh','board',NULL,NULL,NULL,'bundled',NULL);
INSERT INTO "units" VALUES(2,'hc-dt','Phòng Hành chính – Đoàn thể và các hội','department',1,NULL,NULL,'bundled',NULL);
INSERT INTO "units" VALUES(3,'dvcq-dttg','Phòng Dân vận các cơ quan nhà nước – Dân tộc và Tôn giáo','department',1,NULL,NULL,'bundled',NULL);
CREATE TABLE visits (
	id INTEGER NOT NULL, 
	officer_id INTEGER NOT NULL, 
	unit_id INTEGER NOT NULL, 
	visit_date DATE NOT NULL, 
	note TEXT, 
	channel VARCHAR(16) NOT NULL, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_visits PRIMARY KEY (id), 
	CONSTRAINT fk_visits_officer_id_officers FOREIGN KEY(officer_id) REFERENCES officers (id) ON DELETE CASCADE, 
	CONSTRAINT fk_visits_unit_id_units FOREIGN KEY(unit_id) REFERENCES units (id) ON DELETE CASCADE, 
	CONSTRAINT uq_visits_officer_id UNIQUE (officer_id, unit_id, visit_date)
);
CREATE INDEX ix_events_due_date ON events (due_date);
CREATE INDEX ix_events_observance_key ON events (observance_key);
CREATE INDEX ix_events_start_date ON events (start_date);
CREATE INDEX ix_events_status ON events (status);
CREATE INDEX ix_events_updated_at ON events (updated_at);
CREATE INDEX ix_officers_search_name ON officers (search_name);
CREATE INDEX ix_assignments_event_id ON assignments (event_id);
CREATE INDEX ix_assignments_officer_id ON assignments (officer_id);
CREATE INDEX ix_completions_event_id ON completions (event_id);
CREATE INDEX ix_feed_tokens_officer_id ON feed_tokens (officer_id);
CREATE INDEX ix_reminders_event_id ON reminders (event_id);
CREATE INDEX ix_reminders_officer_id ON reminders (officer_id);
CREATE INDEX ix_reminders_state_due ON reminders (state, next_attempt_at);
CREATE INDEX ix_visits_visit_date ON visits (visit_date);
COMMIT;
