CREATE INDEX "orders_merchant_uid_prefix_idx" ON "orders" USING btree ("merchant_uid" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "orders_buyer_email_prefix_idx" ON "orders" USING btree (lower("buyer_email") text_pattern_ops) WHERE "orders"."buyer_email" is not null;--> statement-breakpoint
CREATE INDEX "orders_buyer_name_prefix_idx" ON "orders" USING btree (lower("buyer_name") text_pattern_ops) WHERE "orders"."buyer_name" is not null;--> statement-breakpoint
CREATE INDEX "orders_buyer_tel_suffix_idx" ON "orders" USING btree (reverse(regexp_replace("buyer_tel", '[^0-9]', '', 'g')) text_pattern_ops) WHERE "orders"."buyer_tel" is not null;--> statement-breakpoint
CREATE INDEX "payment_events_named_merchant_uid_idx" ON "payment_events" USING btree ("named_merchant_uid");--> statement-breakpoint
CREATE INDEX "payment_events_imp_uid_idx" ON "payment_events" USING btree ("imp_uid");