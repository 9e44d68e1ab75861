-- GET /articles lists article images newest first, page by page from a (created_at, id) cursor:
-- one index for everyone's (admins) and one per owner, so each page is an index range scan.
create index images_listing_idx on images (created_at desc, id desc) where article_id is not null;
create index images_owner_listing_idx on images (owner_id, created_at desc, id desc)
  where article_id is not null;
