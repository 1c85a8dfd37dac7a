-- Prefect's schema at alembic revision 50f8c182c3ca (Prefect 2.13.0) on PostgreSQL, from pg_dump
-- --schema-only of a database built by Prefect's own migrations (shared/tools/prefect_alembic.py),
-- schema-qualified names made relative so it builds in the connection's schema.
CREATE EXTENSION IF NOT EXISTS pg_trgm
;
CREATE TYPE state_type AS ENUM (
    'SCHEDULED',
    'PENDING',
    'RUNNING',
    'COMPLETED',
    'FAILED',
    'CANCELLED',
    'CRASHED',
    'PAUSED',
    'CANCELLING'
)
;
CREATE TABLE agent (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    created timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    updated timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    name character varying NOT NULL,
    last_activity_time timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    work_queue_id uuid NOT NULL
)
;
CREATE TABLE alembic_version (
    version_num character varying(32) NOT NULL
)
;
CREATE TABLE artifact (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    created timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    updated timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    key character varying,
    type character varying,
    data json,
    metadata_ json,
    task_run_id uuid,
    flow_run_id uuid,
    description character varying
)
;
CREATE TABLE artifact_collection (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    created timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    updated timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    key character varying NOT NULL,
    latest_id uuid,
    task_run_id uuid,
    flow_run_id uuid,
    type character varying,
    data json,
    description character varying,
    metadata_ json
)
;
CREATE TABLE block_document (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    created timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    updated timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    name character varying NOT NULL,
    data jsonb DEFAULT '{}'::jsonb NOT NULL,
    block_schema_id uuid NOT NULL,
    block_type_id uuid NOT NULL,
    is_anonymous boolean DEFAULT false NOT NULL
)
;
CREATE TABLE block_document_reference (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    created timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    updated timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    name character varying NOT NULL,
    parent_block_document_id uuid NOT NULL,
    reference_block_document_id uuid NOT NULL
)
;
CREATE TABLE block_schema (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    created timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    updated timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    fields jsonb DEFAULT '{}'::jsonb NOT NULL,
    checksum character varying NOT NULL,
    block_type_id uuid NOT NULL,
    capabilities jsonb DEFAULT '[]'::jsonb NOT NULL,
    version character varying DEFAULT 'non-versioned'::character varying NOT NULL
)
;
CREATE TABLE block_schema_reference (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    created timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    updated timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    name character varying NOT NULL,
    parent_block_schema_id uuid NOT NULL,
    reference_block_schema_id uuid NOT NULL
)
;
CREATE TABLE block_type (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    created timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    updated timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    name character varying NOT NULL,
    logo_url character varying,
    documentation_url character varying,
    description character varying,
    code_example character varying,
    is_protected boolean DEFAULT false NOT NULL,
    slug character varying NOT NULL
)
;
CREATE TABLE concurrency_limit (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    created timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    updated timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    tag character varying NOT NULL,
    concurrency_limit integer NOT NULL,
    active_slots jsonb DEFAULT '[]'::jsonb NOT NULL
)
;
CREATE TABLE concurrency_limit_v2 (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    created timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    updated timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    active boolean NOT NULL,
    name character varying NOT NULL,
    "limit" integer NOT NULL,
    active_slots integer NOT NULL,
    denied_slots integer NOT NULL,
    slot_decay_per_second double precision,
    avg_slot_occupancy_seconds double precision NOT NULL
)
;
CREATE TABLE configuration (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    created timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    updated timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    key character varying NOT NULL,
    value jsonb NOT NULL
)
;
CREATE TABLE deployment (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    created timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    updated timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    name character varying NOT NULL,
    schedule jsonb,
    is_schedule_active boolean DEFAULT true NOT NULL,
    tags jsonb DEFAULT '[]'::jsonb NOT NULL,
    parameters jsonb DEFAULT '{}'::jsonb NOT NULL,
    flow_data jsonb,
    flow_id uuid NOT NULL,
    infrastructure_document_id uuid,
    description text,
    manifest_path character varying,
    parameter_openapi_schema jsonb,
    storage_document_id uuid,
    version character varying,
    infra_overrides jsonb DEFAULT '{}'::jsonb NOT NULL,
    path character varying,
    entrypoint character varying,
    work_queue_name character varying,
    created_by jsonb,
    updated_by jsonb,
    work_queue_id uuid,
    pull_steps jsonb
)
;
CREATE TABLE flow (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    created timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    updated timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    name character varying NOT NULL,
    tags jsonb DEFAULT '[]'::jsonb NOT NULL
)
;
CREATE TABLE flow_run (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    created timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    updated timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    name character varying NOT NULL,
    state_type state_type,
    run_count integer DEFAULT 0 NOT NULL,
    expected_start_time timestamp with time zone,
    next_scheduled_start_time timestamp with time zone,
    start_time timestamp with time zone,
    end_time timestamp with time zone,
    total_run_time interval DEFAULT '00:00:00'::interval NOT NULL,
    flow_version character varying,
    parameters jsonb DEFAULT '{}'::jsonb NOT NULL,
    idempotency_key character varying,
    context jsonb DEFAULT '{}'::jsonb NOT NULL,
    empirical_policy jsonb DEFAULT '{}'::jsonb NOT NULL,
    tags jsonb DEFAULT '[]'::jsonb NOT NULL,
    auto_scheduled boolean DEFAULT false NOT NULL,
    flow_id uuid NOT NULL,
    deployment_id uuid,
    parent_task_run_id uuid,
    state_id uuid,
    state_name character varying,
    infrastructure_document_id uuid,
    work_queue_name character varying,
    state_timestamp timestamp with time zone,
    created_by jsonb,
    infrastructure_pid character varying,
    work_queue_id uuid
)
;
CREATE TABLE flow_run_notification_policy (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    created timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    updated timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    is_active boolean DEFAULT true NOT NULL,
    state_names jsonb DEFAULT '[]'::jsonb NOT NULL,
    tags jsonb DEFAULT '[]'::jsonb NOT NULL,
    message_template character varying,
    block_document_id uuid NOT NULL
)
;
CREATE TABLE flow_run_notification_queue (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    created timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    updated timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    flow_run_notification_policy_id uuid NOT NULL,
    flow_run_state_id uuid NOT NULL
)
;
CREATE TABLE flow_run_state (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    created timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    updated timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    type state_type NOT NULL,
    "timestamp" timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    name character varying NOT NULL,
    message character varying,
    state_details jsonb DEFAULT '{}'::jsonb NOT NULL,
    data jsonb,
    flow_run_id uuid NOT NULL,
    result_artifact_id uuid
)
;
CREATE TABLE log (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    created timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    updated timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    name character varying NOT NULL,
    level smallint NOT NULL,
    flow_run_id uuid NOT NULL,
    task_run_id uuid,
    message text NOT NULL,
    "timestamp" timestamp with time zone NOT NULL
)
;
CREATE TABLE saved_search (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    created timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    updated timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    name character varying NOT NULL,
    filters jsonb DEFAULT '[]'::jsonb NOT NULL
)
;
CREATE TABLE task_run (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    created timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    updated timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    name character varying NOT NULL,
    state_type state_type,
    run_count integer DEFAULT 0 NOT NULL,
    expected_start_time timestamp with time zone,
    next_scheduled_start_time timestamp with time zone,
    start_time timestamp with time zone,
    end_time timestamp with time zone,
    total_run_time interval DEFAULT '00:00:00'::interval NOT NULL,
    task_key character varying NOT NULL,
    dynamic_key character varying NOT NULL,
    cache_key character varying,
    cache_expiration timestamp with time zone,
    task_version character varying,
    empirical_policy jsonb DEFAULT '{}'::jsonb NOT NULL,
    task_inputs jsonb DEFAULT '{}'::jsonb NOT NULL,
    tags jsonb DEFAULT '[]'::jsonb NOT NULL,
    flow_run_id uuid NOT NULL,
    state_id uuid,
    state_name character varying,
    state_timestamp timestamp with time zone,
    flow_run_run_count integer DEFAULT 0 NOT NULL
)
;
CREATE TABLE task_run_state (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    created timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    updated timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    type state_type NOT NULL,
    "timestamp" timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    name character varying NOT NULL,
    message character varying,
    state_details jsonb DEFAULT '{}'::jsonb NOT NULL,
    data jsonb,
    task_run_id uuid NOT NULL,
    result_artifact_id uuid
)
;
CREATE TABLE task_run_state_cache (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    created timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    updated timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    cache_key character varying NOT NULL,
    cache_expiration timestamp with time zone,
    task_run_state_id uuid NOT NULL
)
;
CREATE TABLE variable (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    created timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    updated timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    name character varying NOT NULL,
    value character varying NOT NULL,
    tags jsonb DEFAULT '[]'::jsonb NOT NULL
)
;
CREATE TABLE work_pool (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    created timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    updated timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    name character varying NOT NULL,
    description character varying,
    type character varying NOT NULL,
    base_job_template jsonb DEFAULT '{}'::jsonb NOT NULL,
    is_paused boolean DEFAULT false NOT NULL,
    concurrency_limit integer,
    default_queue_id uuid
)
;
CREATE TABLE work_queue (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    created timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    updated timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    name character varying NOT NULL,
    filter jsonb,
    description character varying DEFAULT ''::character varying NOT NULL,
    is_paused boolean DEFAULT false NOT NULL,
    concurrency_limit integer,
    last_polled timestamp with time zone,
    priority integer DEFAULT 1 NOT NULL,
    work_pool_id uuid NOT NULL
)
;
CREATE TABLE worker (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    created timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    updated timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    name character varying NOT NULL,
    last_heartbeat_time timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL,
    work_pool_id uuid NOT NULL,
    heartbeat_interval_seconds integer
)
;
ALTER TABLE ONLY alembic_version
    ADD CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
;
ALTER TABLE ONLY agent
    ADD CONSTRAINT pk_agent PRIMARY KEY (id)
;
ALTER TABLE ONLY artifact
    ADD CONSTRAINT pk_artifact PRIMARY KEY (id)
;
ALTER TABLE ONLY artifact_collection
    ADD CONSTRAINT pk_artifact_collection PRIMARY KEY (id)
;
ALTER TABLE ONLY block_document
    ADD CONSTRAINT pk_block_document PRIMARY KEY (id)
;
ALTER TABLE ONLY block_document_reference
    ADD CONSTRAINT pk_block_document_reference PRIMARY KEY (id)
;
ALTER TABLE ONLY block_schema
    ADD CONSTRAINT pk_block_schema PRIMARY KEY (id)
;
ALTER TABLE ONLY block_schema_reference
    ADD CONSTRAINT pk_block_schema_reference PRIMARY KEY (id)
;
ALTER TABLE ONLY block_type
    ADD CONSTRAINT pk_block_type PRIMARY KEY (id)
;
ALTER TABLE ONLY concurrency_limit
    ADD CONSTRAINT pk_concurrency_limit PRIMARY KEY (id)
;
ALTER TABLE ONLY concurrency_limit_v2
    ADD CONSTRAINT pk_concurrency_limit_v2 PRIMARY KEY (id)
;
ALTER TABLE ONLY configuration
    ADD CONSTRAINT pk_configuration PRIMARY KEY (id)
;
ALTER TABLE ONLY deployment
    ADD CONSTRAINT pk_deployment PRIMARY KEY (id)
;
ALTER TABLE ONLY flow
    ADD CONSTRAINT pk_flow PRIMARY KEY (id)
;
ALTER TABLE ONLY flow_run
    ADD CONSTRAINT pk_flow_run PRIMARY KEY (id)
;
ALTER TABLE ONLY flow_run_notification_policy
    ADD CONSTRAINT pk_flow_run_notification_policy PRIMARY KEY (id)
;
ALTER TABLE ONLY flow_run_notification_queue
    ADD CONSTRAINT pk_flow_run_notification_queue PRIMARY KEY (id)
;
ALTER TABLE ONLY flow_run_state
    ADD CONSTRAINT pk_flow_run_state PRIMARY KEY (id)
;
ALTER TABLE ONLY log
    ADD CONSTRAINT pk_log PRIMARY KEY (id)
;
ALTER TABLE ONLY saved_search
    ADD CONSTRAINT pk_saved_search PRIMARY KEY (id)
;
ALTER TABLE ONLY task_run
    ADD CONSTRAINT pk_task_run PRIMARY KEY (id)
;
ALTER TABLE ONLY task_run_state
    ADD CONSTRAINT pk_task_run_state PRIMARY KEY (id)
;
ALTER TABLE ONLY task_run_state_cache
    ADD CONSTRAINT pk_task_run_state_cache PRIMARY KEY (id)
;
ALTER TABLE ONLY variable
    ADD CONSTRAINT pk_variable PRIMARY KEY (id)
;
ALTER TABLE ONLY work_pool
    ADD CONSTRAINT pk_work_pool PRIMARY KEY (id)
;
ALTER TABLE ONLY work_queue
    ADD CONSTRAINT pk_work_queue PRIMARY KEY (id)
;
ALTER TABLE ONLY worker
    ADD CONSTRAINT pk_worker PRIMARY KEY (id)
;
ALTER TABLE ONLY agent
    ADD CONSTRAINT uq_agent__name UNIQUE (name)
;
ALTER TABLE ONLY artifact_collection
    ADD CONSTRAINT uq_artifact_collection__key UNIQUE (key)
;
ALTER TABLE ONLY concurrency_limit_v2
    ADD CONSTRAINT uq_concurrency_limit_v2__name UNIQUE (name)
;
ALTER TABLE ONLY configuration
    ADD CONSTRAINT uq_configuration__key UNIQUE (key)
;
ALTER TABLE ONLY flow
    ADD CONSTRAINT uq_flow__name UNIQUE (name)
;
ALTER TABLE ONLY saved_search
    ADD CONSTRAINT uq_saved_search__name UNIQUE (name)
;
ALTER TABLE ONLY variable
    ADD CONSTRAINT uq_variable__name UNIQUE (name)
;
ALTER TABLE ONLY work_pool
    ADD CONSTRAINT uq_work_pool__name UNIQUE (name)
;
ALTER TABLE ONLY work_queue
    ADD CONSTRAINT uq_work_queue__work_pool_id_name UNIQUE (work_pool_id, name)
;
ALTER TABLE ONLY worker
    ADD CONSTRAINT uq_worker__work_pool_id_name UNIQUE (work_pool_id, name)
;
CREATE INDEX ix_agent__updated ON agent USING btree (updated)
;
CREATE INDEX ix_agent__work_queue_id ON agent USING btree (work_queue_id)
;
CREATE INDEX ix_artifact__flow_run_id ON artifact USING btree (flow_run_id)
;
CREATE INDEX ix_artifact__key ON artifact USING btree (key)
;
CREATE INDEX ix_artifact__key_created_desc ON artifact USING btree (key, created DESC) INCLUDE (id, updated, type, task_run_id, flow_run_id)
;
CREATE INDEX ix_artifact__task_run_id ON artifact USING btree (task_run_id)
;
CREATE INDEX ix_artifact__updated ON artifact USING btree (updated)
;
CREATE INDEX ix_artifact_collection__key_latest_id ON artifact_collection USING btree (key, latest_id)
;
CREATE INDEX ix_block_document__is_anonymous ON block_document USING btree (is_anonymous)
;
CREATE INDEX ix_block_document__name ON block_document USING btree (name)
;
CREATE INDEX ix_block_document__updated ON block_document USING btree (updated)
;
CREATE INDEX ix_block_document_reference__updated ON block_document_reference USING btree (updated)
;
CREATE INDEX ix_block_schema__block_type_id ON block_schema USING btree (block_type_id)
;
CREATE INDEX ix_block_schema__capabilities ON block_schema USING gin (capabilities)
;
CREATE INDEX ix_block_schema__created ON block_schema USING btree (created)
;
CREATE INDEX ix_block_schema__updated ON block_schema USING btree (updated)
;
CREATE INDEX ix_block_schema_reference__updated ON block_schema_reference USING btree (updated)
;
CREATE INDEX ix_block_type__updated ON block_type USING btree (updated)
;
CREATE INDEX ix_concurrency_limit__updated ON concurrency_limit USING btree (updated)
;
CREATE INDEX ix_concurrency_limit_v2__updated ON concurrency_limit_v2 USING btree (updated)
;
CREATE INDEX ix_configuration__key ON configuration USING btree (key)
;
CREATE INDEX ix_configuration__updated ON configuration USING btree (updated)
;
CREATE INDEX ix_deployment__created ON deployment USING btree (created)
;
CREATE INDEX ix_deployment__flow_id ON deployment USING btree (flow_id)
;
CREATE INDEX ix_deployment__updated ON deployment USING btree (updated)
;
CREATE INDEX ix_deployment__work_queue_id ON deployment USING btree (work_queue_id)
;
CREATE INDEX ix_deployment__work_queue_name ON deployment USING btree (work_queue_name)
;
CREATE INDEX ix_flow__created ON flow USING btree (created)
;
CREATE INDEX ix_flow__updated ON flow USING btree (updated)
;
CREATE INDEX ix_flow_run__coalesce_start_time_expected_start_time_asc ON flow_run USING btree (COALESCE(start_time, expected_start_time))
;
CREATE INDEX ix_flow_run__coalesce_start_time_expected_start_time_desc ON flow_run USING btree (COALESCE(start_time, expected_start_time) DESC)
;
CREATE INDEX ix_flow_run__deployment_id ON flow_run USING btree (deployment_id)
;
CREATE INDEX ix_flow_run__end_time_desc ON flow_run USING btree (end_time DESC)
;
CREATE INDEX ix_flow_run__expected_start_time_desc ON flow_run USING btree (expected_start_time DESC)
;
CREATE INDEX ix_flow_run__flow_id ON flow_run USING btree (flow_id)
;
CREATE INDEX ix_flow_run__flow_version ON flow_run USING btree (flow_version)
;
CREATE INDEX ix_flow_run__infrastructure_document_id ON flow_run USING btree (infrastructure_document_id)
;
CREATE INDEX ix_flow_run__name ON flow_run USING btree (name)
;
CREATE INDEX ix_flow_run__next_scheduled_start_time_asc ON flow_run USING btree (next_scheduled_start_time)
;
CREATE INDEX ix_flow_run__parent_task_run_id ON flow_run USING btree (parent_task_run_id)
;
CREATE INDEX ix_flow_run__scheduler_deployment_id_auto_scheduled_next_schedu ON flow_run USING btree (deployment_id, auto_scheduled, next_scheduled_start_time) WHERE (state_type = 'SCHEDULED'::state_type)
;
CREATE INDEX ix_flow_run__start_time ON flow_run USING btree (start_time)
;
CREATE INDEX ix_flow_run__state_id ON flow_run USING btree (state_id)
;
CREATE INDEX ix_flow_run__state_name ON flow_run USING btree (state_name)
;
CREATE INDEX ix_flow_run__state_timestamp ON flow_run USING btree (state_timestamp)
;
CREATE INDEX ix_flow_run__state_type ON flow_run USING btree (state_type)
;
CREATE INDEX ix_flow_run__updated ON flow_run USING btree (updated)
;
CREATE INDEX ix_flow_run__work_queue_id ON flow_run USING btree (work_queue_id)
;
CREATE INDEX ix_flow_run__work_queue_name ON flow_run USING btree (work_queue_name)
;
CREATE INDEX ix_flow_run_notification_policy__updated ON flow_run_notification_policy USING btree (updated)
;
CREATE INDEX ix_flow_run_notification_queue__updated ON flow_run_notification_queue USING btree (updated)
;
CREATE INDEX ix_flow_run_state__name ON flow_run_state USING btree (name)
;
CREATE INDEX ix_flow_run_state__result_artifact_id ON flow_run_state USING btree (result_artifact_id)
;
CREATE INDEX ix_flow_run_state__type ON flow_run_state USING btree (type)
;
CREATE INDEX ix_flow_run_state__updated ON flow_run_state USING btree (updated)
;
CREATE INDEX ix_log__flow_run_id ON log USING btree (flow_run_id)
;
CREATE INDEX ix_log__flow_run_id_timestamp ON log USING btree (flow_run_id, "timestamp")
;
CREATE INDEX ix_log__level ON log USING btree (level)
;
CREATE INDEX ix_log__task_run_id ON log USING btree (task_run_id)
;
CREATE INDEX ix_log__timestamp ON log USING btree ("timestamp")
;
CREATE INDEX ix_log__updated ON log USING btree (updated)
;
CREATE INDEX ix_saved_search__updated ON saved_search USING btree (updated)
;
CREATE INDEX ix_task_run__end_time_desc ON task_run USING btree (end_time DESC)
;
CREATE INDEX ix_task_run__expected_start_time_desc ON task_run USING btree (expected_start_time DESC)
;
CREATE INDEX ix_task_run__flow_run_id ON task_run USING btree (flow_run_id)
;
CREATE INDEX ix_task_run__name ON task_run USING btree (name)
;
CREATE INDEX ix_task_run__next_scheduled_start_time_asc ON task_run USING btree (next_scheduled_start_time)
;
CREATE INDEX ix_task_run__start_time ON task_run USING btree (start_time)
;
CREATE INDEX ix_task_run__state_id ON task_run USING btree (state_id)
;
CREATE INDEX ix_task_run__state_name ON task_run USING btree (state_name)
;
CREATE INDEX ix_task_run__state_timestamp ON task_run USING btree (state_timestamp)
;
CREATE INDEX ix_task_run__state_type ON task_run USING btree (state_type)
;
CREATE INDEX ix_task_run__updated ON task_run USING btree (updated)
;
CREATE INDEX ix_task_run_state__name ON task_run_state USING btree (name)
;
CREATE INDEX ix_task_run_state__result_artifact_id ON task_run_state USING btree (result_artifact_id)
;
CREATE INDEX ix_task_run_state__type ON task_run_state USING btree (type)
;
CREATE INDEX ix_task_run_state__updated ON task_run_state USING btree (updated)
;
CREATE INDEX ix_task_run_state_cache__cache_key_created_desc ON task_run_state_cache USING btree (cache_key, created DESC)
;
CREATE INDEX ix_task_run_state_cache__updated ON task_run_state_cache USING btree (updated)
;
CREATE INDEX ix_variable__updated ON variable USING btree (updated)
;
CREATE INDEX ix_work_pool__type ON work_pool USING btree (type)
;
CREATE INDEX ix_work_pool__updated ON work_pool USING btree (updated)
;
CREATE INDEX ix_work_queue__updated ON work_queue USING btree (updated)
;
CREATE INDEX ix_work_queue__work_pool_id ON work_queue USING btree (work_pool_id)
;
CREATE INDEX ix_work_queue__work_pool_id_priority ON work_queue USING btree (work_pool_id, priority)
;
CREATE INDEX ix_worker__updated ON worker USING btree (updated)
;
CREATE INDEX ix_worker__work_pool_id ON worker USING btree (work_pool_id)
;
CREATE INDEX ix_worker__work_pool_id_last_heartbeat_time ON worker USING btree (work_pool_id, last_heartbeat_time)
;
CREATE INDEX trgm_ix_block_type_name ON block_type USING gin (name gin_trgm_ops)
;
CREATE INDEX trgm_ix_deployment_name ON deployment USING gin (name gin_trgm_ops)
;
CREATE INDEX trgm_ix_flow_name ON flow USING gin (name gin_trgm_ops)
;
CREATE INDEX trgm_ix_flow_run_name ON flow_run USING gin (name gin_trgm_ops)
;
CREATE INDEX trgm_ix_task_run_name ON task_run USING gin (name gin_trgm_ops)
;
CREATE INDEX trgm_ix_work_queue_name ON work_queue USING gin (name gin_trgm_ops)
;
CREATE UNIQUE INDEX uq_block__type_id_name ON block_document USING btree (block_type_id, name)
;
CREATE UNIQUE INDEX uq_block_schema__checksum_version ON block_schema USING btree (checksum, version)
;
CREATE UNIQUE INDEX uq_block_type__slug ON block_type USING btree (slug)
;
CREATE UNIQUE INDEX uq_concurrency_limit__tag ON concurrency_limit USING btree (tag)
;
CREATE UNIQUE INDEX uq_deployment__flow_id_name ON deployment USING btree (flow_id, name)
;
CREATE UNIQUE INDEX uq_flow_run__flow_id_idempotency_key ON flow_run USING btree (flow_id, idempotency_key)
;
CREATE UNIQUE INDEX uq_flow_run_state__flow_run_id_timestamp_desc ON flow_run_state USING btree (flow_run_id, "timestamp" DESC)
;
CREATE UNIQUE INDEX uq_task_run__flow_run_id_task_key_dynamic_key ON task_run USING btree (flow_run_id, task_key, dynamic_key)
;
CREATE UNIQUE INDEX uq_task_run_state__task_run_id_timestamp_desc ON task_run_state USING btree (task_run_id, "timestamp" DESC)
;
ALTER TABLE ONLY agent
    ADD CONSTRAINT fk_agent__work_queue_id__work_queue FOREIGN KEY (work_queue_id) REFERENCES work_queue(id)
;
ALTER TABLE ONLY block_document
    ADD CONSTRAINT fk_block__block_schema_id__block_schema FOREIGN KEY (block_schema_id) REFERENCES block_schema(id) ON DELETE CASCADE
;
ALTER TABLE ONLY block_document
    ADD CONSTRAINT fk_block_document__block_type_id__block_type FOREIGN KEY (block_type_id) REFERENCES block_type(id) ON DELETE CASCADE
;
ALTER TABLE ONLY block_document_reference
    ADD CONSTRAINT fk_block_document_reference__parent_block_document_id___328f FOREIGN KEY (parent_block_document_id) REFERENCES block_document(id) ON DELETE CASCADE
;
ALTER TABLE ONLY block_document_reference
    ADD CONSTRAINT fk_block_document_reference__reference_block_document_i_5759 FOREIGN KEY (reference_block_document_id) REFERENCES block_document(id) ON DELETE CASCADE
;
ALTER TABLE ONLY block_schema
    ADD CONSTRAINT fk_block_schema__block_type_id__block_type FOREIGN KEY (block_type_id) REFERENCES block_type(id) ON DELETE CASCADE
;
ALTER TABLE ONLY block_schema_reference
    ADD CONSTRAINT fk_block_schema_reference__parent_block_schema_id__block_schema FOREIGN KEY (parent_block_schema_id) REFERENCES block_schema(id) ON DELETE CASCADE
;
ALTER TABLE ONLY block_schema_reference
    ADD CONSTRAINT fk_block_schema_reference__reference_block_schema_id__b_6e5d FOREIGN KEY (reference_block_schema_id) REFERENCES block_schema(id) ON DELETE CASCADE
;
ALTER TABLE ONLY deployment
    ADD CONSTRAINT fk_deployment__flow_id__flow FOREIGN KEY (flow_id) REFERENCES flow(id) ON DELETE CASCADE
;
ALTER TABLE ONLY deployment
    ADD CONSTRAINT fk_deployment__infrastructure_document_id__block_document FOREIGN KEY (infrastructure_document_id) REFERENCES block_document(id) ON DELETE CASCADE
;
ALTER TABLE ONLY deployment
    ADD CONSTRAINT fk_deployment__storage_document_id__block_document FOREIGN KEY (storage_document_id) REFERENCES block_document(id) ON DELETE CASCADE
;
ALTER TABLE ONLY deployment
    ADD CONSTRAINT fk_deployment__work_queue_id__work_queue FOREIGN KEY (work_queue_id) REFERENCES work_queue(id) ON DELETE SET NULL
;
ALTER TABLE ONLY flow_run
    ADD CONSTRAINT fk_flow_run__flow_id__flow FOREIGN KEY (flow_id) REFERENCES flow(id) ON DELETE CASCADE
;
ALTER TABLE ONLY flow_run
    ADD CONSTRAINT fk_flow_run__infrastructure_document_id__block_document FOREIGN KEY (infrastructure_document_id) REFERENCES block_document(id) ON DELETE CASCADE
;
ALTER TABLE ONLY flow_run
    ADD CONSTRAINT fk_flow_run__parent_task_run_id__task_run FOREIGN KEY (parent_task_run_id) REFERENCES task_run(id) ON DELETE SET NULL
;
ALTER TABLE ONLY flow_run
    ADD CONSTRAINT fk_flow_run__state_id__flow_run_state FOREIGN KEY (state_id) REFERENCES flow_run_state(id) ON DELETE SET NULL
;
ALTER TABLE ONLY flow_run
    ADD CONSTRAINT fk_flow_run__work_queue_id__work_queue FOREIGN KEY (work_queue_id) REFERENCES work_queue(id) ON DELETE SET NULL
;
ALTER TABLE ONLY flow_run_notification_policy
    ADD CONSTRAINT fk_flow_run_alert_policy__block_document_id__block_document FOREIGN KEY (block_document_id) REFERENCES block_document(id) ON DELETE CASCADE
;
ALTER TABLE ONLY flow_run_state
    ADD CONSTRAINT fk_flow_run_state__flow_run_id__flow_run FOREIGN KEY (flow_run_id) REFERENCES flow_run(id) ON DELETE CASCADE
;
ALTER TABLE ONLY flow_run_state
    ADD CONSTRAINT fk_flow_run_state__result_artifact_id__artifact FOREIGN KEY (result_artifact_id) REFERENCES artifact(id) ON DELETE SET NULL
;
ALTER TABLE ONLY task_run
    ADD CONSTRAINT fk_task_run__flow_run_id__flow_run FOREIGN KEY (flow_run_id) REFERENCES flow_run(id) ON DELETE CASCADE
;
ALTER TABLE ONLY task_run
    ADD CONSTRAINT fk_task_run__state_id__task_run_state FOREIGN KEY (state_id) REFERENCES task_run_state(id) ON DELETE SET NULL
;
ALTER TABLE ONLY task_run_state
    ADD CONSTRAINT fk_task_run_state__result_artifact_id__artifact FOREIGN KEY (result_artifact_id) REFERENCES artifact(id) ON DELETE SET NULL
;
ALTER TABLE ONLY task_run_state
    ADD CONSTRAINT fk_task_run_state__task_run_id__task_run FOREIGN KEY (task_run_id) REFERENCES task_run(id) ON DELETE CASCADE
;
ALTER TABLE ONLY work_pool
    ADD CONSTRAINT fk_work_pool__default_queue_id__work_queue FOREIGN KEY (default_queue_id) REFERENCES work_queue(id) ON DELETE RESTRICT
;
ALTER TABLE ONLY work_queue
    ADD CONSTRAINT fk_work_queue__work_pool_id__work_pool FOREIGN KEY (work_pool_id) REFERENCES work_pool(id) ON DELETE CASCADE
;
ALTER TABLE ONLY worker
    ADD CONSTRAINT fk_worker__work_pool_id__work_pool FOREIGN KEY (work_pool_id) REFERENCES work_pool(id) ON DELETE CASCADE
;
