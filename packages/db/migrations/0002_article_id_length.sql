-- The one limit on article ids (ARTICLE_ID_MAX_LENGTH in @belfoot/fastify-kit): the schemas refuse
-- longer ids first; this keeps any other writer from storing an id no route could read back.
alter table images
  add constraint images_article_id_length check (char_length(article_id) between 1 and 128);
