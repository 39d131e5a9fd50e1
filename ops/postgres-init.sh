#!/bin/sh
# Runs once, as the postgres superuser, when the database volume is first created
# (/docker-entrypoint-initdb.d). The platform never connects as a superuser, which would bypass
# row-level security: it logs in as `botplatform`, owner of the schema, and works as `bp_platform`
# (see README, "Database roles"). The roles are made here so the platform needs no CREATEROLE.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
create extension if not exists vector;
create role botplatform login password '${BP_DB_PASSWORD}' nosuperuser nocreaterole nocreatedb;
create role bp_tenant nologin;
create role bp_platform nologin;
grant bp_tenant, bp_platform to botplatform;
alter database "${POSTGRES_DB}" owner to botplatform;
alter schema public owner to botplatform;
SQL
