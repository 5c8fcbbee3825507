CREATE TABLE "refunds_required" (
	"imp_uid" text PRIMARY KEY NOT NULL,
	"merchant_uid" text NOT NULL,
	"kind" text NOT NULL,
	"amount" bigint,
	"currency" text NOT NULL,
	"reason" text,
	"payment" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone,
	"resolution" text
);
--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "next_check_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "lookup_misses" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "refunds_required_open_idx" ON "refunds_required" USING btree ("created_at") WHERE "refunds_required"."resolved_at" is null;--> statement-breakpoint
CREATE INDEX "refunds_required_merchant_uid_idx" ON "refunds_required" USING btree ("merchant_uid");--> statement-breakpoint
CREATE INDEX "orders_due_idx" ON "orders" USING btree ("next_check_at") WHERE "orders"."status" in ('pending', 'ready', 'failed');