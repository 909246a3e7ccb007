/* LockOrder (examples/lock_order.ts) in Promela: N processes, K rounds each of "take A, take B,
 * read the counter, write it back incremented, release B, release A". Each atomic block is one
 * transition of the TypeScript spec, so Spin stores the same states, plus one: the state before
 * init has started the processes. The invariants are assertions in the only steps that can break
 * them (MutualExclusion when a process enters, CounterCorrect when the last one finishes), which
 * keeps Spin's deadlock check (invalid end states) on; a finished process waits at an end label. */
#ifndef N
#define N 5
#endif
#ifndef K
#define K 10
#endif

byte lock[2];   /* 0 free, else owner + 1 */
byte counter;
byte inside;    /* processes between Acq2 and Write (cs or wr), for MutualExclusion */
byte finished;  /* processes done, for CounterCorrect */

proctype P(byte p) {
  byte r = 0;
  byte t = 0;
  do
  :: atomic { r < K && lock[0] == 0 -> lock[0] = p + 1 }      /* Acq1 */
     atomic { lock[1] == 0 -> lock[1] = p + 1; inside++; assert(inside <= 1) }  /* Acq2 */
     t = counter;                                            /* Read */
     atomic { counter = t + 1; t = 0; inside-- }           /* Write */
     lock[1] = 0;                                            /* Rel2 */
     atomic { lock[0] = 0; r++ }                             /* Rel1 */
  :: atomic { r == K -> finished++; assert(finished < N || counter == N * K); break } /* Finish */
  od;
end_done:
  false  /* stay: a finished process is a valid end, never removed */
}

init {
  atomic {
    byte i = 0;
    do
    :: i < N -> run P(i); i++
    :: else -> break
    od
  }
}

