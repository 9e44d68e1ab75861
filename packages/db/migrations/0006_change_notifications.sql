-- Gateways cache verified credentials and image metadata; every change they must not miss is
-- announced on one channel when its transaction commits (never for a rolled-back one). In
-- triggers, so no path that writes (gateway, converter, `pnpm user`, plain SQL) can forget it.
create function notify_user_change() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' or new.password_hash is distinct from old.password_hash
      or new.role is distinct from old.role or new.username is distinct from old.username then
    perform pg_notify('belfoot_changes',
      json_build_object('table', 'users', 'id', old.id, 'username', old.username)::text);
  end if;
  return null;
end
$$;

create trigger users_notify_change after update or delete on users
  for each row execute function notify_user_change();

create function notify_image_change() returns trigger language plpgsql as $$
declare
  changed images;
begin
  changed := case when tg_op = 'DELETE' then old else new end;
  perform pg_notify('belfoot_changes',
    json_build_object('table', 'images', 'id', changed.id, 'article_id', changed.article_id,
      'old_article_id', case when tg_op = 'UPDATE' then old.article_id end)::text);
  return null;
end
$$;

create trigger images_notify_change after insert or update or delete on images
  for each row execute function notify_image_change();
