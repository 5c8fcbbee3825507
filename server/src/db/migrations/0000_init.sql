CREATE TABLE "orders" (
	"merchant_uid" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"items" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"imp_uid" text,
	"pay_method" text,
	"pg" text,
	"cancel_amount" bigint DEFAULT 0 NOT NULL,
	"vbank" jsonb,
	"reason" text,
	"payment" jsonb,
	"paid_at" timestamp with time zone,
	"buyer_name" text,
	"buyer_email" text,
	"buyer_tel" text,
	"buyer_addr" text,
	"buyer_postcode" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "orders_imp_uid_unique" UNIQUE("imp_uid")
);
--> statement-breakpoint
CREATE TABLE "payment_claims" (
	"imp_uid" text NOT NULL,
	"kind" text NOT NULL,
	"merchant_uid" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payment_claims_imp_uid_kind_pk" PRIMARY KEY("imp_uid","kind")
);
--> statement-breakpoint
CREATE TABLE "payment_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"source" text NOT NULL,
	"imp_uid" text NOT NULL,
	"named_merchant_uid" text,
	"merchant_uid" text,
	"iamport_status" text,
	"decision" text NOT NULL,
	"detail" text,
	"payment" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "products" (
	"sku" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "orders_status_idx" ON "orders" USING btree ("status");--> statement-breakpoint
CREATE INDEX "payment_events_merchant_uid_idx" ON "payment_events" USING btree ("merchant_uid");