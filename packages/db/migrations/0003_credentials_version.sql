-- Every password or role change bumps the user's credentials version; tokens carry the version they
-- were issued under, so a token from before the change is refused. A counter rather than a timestamp:
-- a token issued in the same second right after the change must still work.
alter table users add column credentials_version integer not null default 1;

-- In a trigger, so every path that changes a user (gateway, `pnpm user`, plain SQL) bumps it.
create function users_bump_credentials_version() returns trigger language plpgsql as $$
begin
  if new.password_hash is distinct from old.password_hash or new.role is distinct from old.role then
    new.credentials_version := old.credentials_version + 1;
  end if;
  return new;
end
$$;

create trigger users_credentials_version before update on users
  for each row execute function users_bump_credentials_version();
