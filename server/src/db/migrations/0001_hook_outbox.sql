CREATE TABLE "hook_outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"hook" text NOT NULL,
	"event" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"claimed_until" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "hook_outbox_claimed_until_idx" ON "hook_outbox" USING btree ("claimed_until");