/**
 * The policy's counters as two SQL functions (part of migration 5; frozen once shipped, as
 * every migration is: change them by a new migration that replaces them). One call is one
 * statement, so admission and settlement each cost a single round trip, on PGlite and on
 * PostgreSQL alike. Each counter still moves by one `INSERT … ON CONFLICT DO UPDATE …
 * WHERE`, whose row lock makes it atomic across instances; a scope that refuses raises
 * inside a block, which rolls back what the scopes before it took.
 */
export const POLICY_FUNCTIONS_SQL = `
  CREATE FUNCTION policy_admit(claims jsonb, want_tokens bigint, want_nanos bigint,
                               win timestamptz, mon text) RETURNS jsonb
  LANGUAGE plpgsql AS $$
  DECLARE
    c jsonb;
    f jsonb;
    figures jsonb := '[]';
    refused jsonb;
    rpm integer;
    tpm bigint;
    max_nanos bigint;
    max_tokens bigint;
    got_requests integer;
    got_tokens bigint;
    took boolean;
    m record;
  BEGIN
    BEGIN
      FOR c IN SELECT value FROM jsonb_array_elements(claims) LOOP
        rpm := (c->>'rpm')::integer;
        tpm := (c->>'tpm')::bigint;
        max_nanos := (c->>'monthlyNanos')::bigint;
        max_tokens := (c->>'monthlyTokens')::bigint;
        f := jsonb_build_object('scope', c->>'scope', 'requests', 0, 'tokens', 0,
          'spentNanos', 0, 'reservedNanos', 0, 'spentTokens', 0, 'reservedTokens', 0);
        IF rpm IS NOT NULL OR tpm IS NOT NULL THEN
          INSERT INTO rate_windows AS w (scope, window_start, requests, tokens)
            SELECT c->>'scope', win, 1, want_tokens WHERE tpm IS NULL OR want_tokens <= tpm
          ON CONFLICT (scope, window_start) DO UPDATE
            SET requests = w.requests + 1, tokens = w.tokens + EXCLUDED.tokens
            WHERE (rpm IS NULL OR w.requests + 1 <= rpm)
              AND (tpm IS NULL OR w.tokens + EXCLUDED.tokens <= tpm)
          RETURNING w.requests, w.tokens INTO got_requests, got_tokens;
          IF NOT FOUND THEN
            SELECT w.requests, w.tokens INTO got_requests, got_tokens FROM rate_windows w
              WHERE w.scope = c->>'scope' AND w.window_start = win;
            f := f || jsonb_build_object('requests', COALESCE(got_requests, 0),
              'tokens', COALESCE(got_tokens, 0));
            refused := jsonb_build_object('scope', c->>'scope', 'figures', f, 'refusal',
              CASE WHEN rpm IS NOT NULL AND COALESCE(got_requests, 0) + 1 > rpm
                THEN 'requests' ELSE 'tokens' END);
            RAISE EXCEPTION 'refused';
          END IF;
          f := f || jsonb_build_object('requests', got_requests, 'tokens', got_tokens);
        END IF;
        IF max_nanos IS NOT NULL OR max_tokens IS NOT NULL THEN
          INSERT INTO quota_months AS q (scope, month, reserved_nanos, reserved_tokens)
            SELECT c->>'scope', mon, want_nanos, want_tokens
            WHERE (max_nanos IS NULL OR want_nanos <= max_nanos)
              AND (max_tokens IS NULL OR want_tokens <= max_tokens)
          ON CONFLICT (scope, month) DO UPDATE
            SET reserved_nanos = q.reserved_nanos + EXCLUDED.reserved_nanos,
                reserved_tokens = q.reserved_tokens + EXCLUDED.reserved_tokens
            WHERE (max_nanos IS NULL
                   OR q.spent_nanos + q.reserved_nanos + EXCLUDED.reserved_nanos <= max_nanos)
              AND (max_tokens IS NULL
                   OR q.spent_tokens + q.reserved_tokens + EXCLUDED.reserved_tokens <= max_tokens)
          RETURNING q.spent_nanos, q.reserved_nanos, q.spent_tokens, q.reserved_tokens INTO m;
          took := FOUND;
          IF NOT took THEN
            SELECT q.spent_nanos, q.reserved_nanos, q.spent_tokens, q.reserved_tokens INTO m
              FROM quota_months q WHERE q.scope = c->>'scope' AND q.month = mon;
          END IF;
          f := f || jsonb_build_object('spentNanos', COALESCE(m.spent_nanos, 0),
            'reservedNanos', COALESCE(m.reserved_nanos, 0),
            'spentTokens', COALESCE(m.spent_tokens, 0),
            'reservedTokens', COALESCE(m.reserved_tokens, 0));
          IF NOT took THEN
            refused := jsonb_build_object('scope', c->>'scope', 'figures', f, 'refusal',
              CASE WHEN max_nanos IS NOT NULL
                AND COALESCE(m.spent_nanos, 0) + COALESCE(m.reserved_nanos, 0) + want_nanos > max_nanos
                THEN 'quota_usd' ELSE 'quota_tokens' END);
            RAISE EXCEPTION 'refused';
          END IF;
        END IF;
        figures := figures || jsonb_build_array(f);
      END LOOP;
    EXCEPTION WHEN raise_exception THEN
      RETURN jsonb_build_object('admitted', false) || refused;
    END;
    RETURN jsonb_build_object('admitted', true, 'figures', figures);
  END $$;

  CREATE FUNCTION policy_settle(claims jsonb, win timestamptz, mon text,
                                held_tokens bigint, held_nanos bigint,
                                used_tokens bigint, used_nanos bigint) RETURNS jsonb
  LANGUAGE plpgsql AS $$
  DECLARE
    c jsonb;
    crossings jsonb := '[]';
    max_nanos bigint;
    max_tokens bigint;
    m record;
    usd numeric;
    toks numeric;
    mark integer;
  BEGIN
    FOR c IN SELECT value FROM jsonb_array_elements(claims) LOOP
      IF (c->>'rpm') IS NOT NULL OR (c->>'tpm') IS NOT NULL THEN
        UPDATE rate_windows SET tokens = GREATEST(0, tokens + used_tokens - held_tokens)
          WHERE scope = c->>'scope' AND window_start = win;
      END IF;
      max_nanos := (c->>'monthlyNanos')::bigint;
      max_tokens := (c->>'monthlyTokens')::bigint;
      CONTINUE WHEN max_nanos IS NULL AND max_tokens IS NULL;
      UPDATE quota_months q SET
          reserved_nanos = GREATEST(0, q.reserved_nanos - held_nanos),
          reserved_tokens = GREATEST(0, q.reserved_tokens - held_tokens),
          spent_nanos = q.spent_nanos + used_nanos, spent_tokens = q.spent_tokens + used_tokens
        WHERE q.scope = c->>'scope' AND q.month = mon
        RETURNING q.spent_nanos, q.spent_tokens, q.warned_percent INTO m;
      CONTINUE WHEN NOT FOUND;
      usd := CASE WHEN max_nanos > 0 THEN m.spent_nanos * 100.0 / max_nanos ELSE 0 END;
      toks := CASE WHEN max_tokens > 0 THEN m.spent_tokens * 100.0 / max_tokens ELSE 0 END;
      mark := CASE WHEN GREATEST(usd, toks) >= 100 THEN 100
                   WHEN GREATEST(usd, toks) >= 80 THEN 80 ELSE 0 END;
      CONTINUE WHEN mark = 0 OR m.warned_percent >= mark;
      -- Only the settlement that moves the mark reports it, on whichever instance.
      UPDATE quota_months q SET warned_percent = mark
        WHERE q.scope = c->>'scope' AND q.month = mon AND q.warned_percent < mark;
      IF FOUND THEN
        crossings := crossings || jsonb_build_array(jsonb_build_object('scope', c->>'scope',
          'percent', mark, 'what', CASE WHEN usd >= toks THEN 'usd' ELSE 'tokens' END));
      END IF;
    END LOOP;
    RETURN crossings;
  END $$;
`;
