/*
 * interp.c - bytecode interpreter workload.
 *
 * Exercises: a large `switch` dispatch loop (br_table in wasm), 64-bit
 * integer arithmetic, indirect data-dependent control flow, a call stack,
 * a heap array, plus a small one-pass assembler (string scanning,
 * strcmp, strcpy) and getenv (REFUTE_WORKLOAD_TAG).
 *
 * Usage: interp [N]   (default 40000)
 *   Assembles an embedded stack-machine program and runs it. The program
 *   counts primes below N (sieve), computes fib(90) iteratively, a
 *   recursive fib, the longest Collatz chain up to N/100+1, sums the
 *   multiples of 3 or 5 below N plus a mixing checksum, and gcd(1071,462).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    HALT, PUSH, POP, DUP, SWAP, OVER, ADD, SUB, MUL, DIV, MOD, NEG, AND, OR,
    XOR, SHL, SHR, NOT, EQ, NE, LT, LE, GT, GE, JMP, JZ, JNZ, LOAD, STORE,
    INC, GLOAD, GSTORE, CALL, RET, ARG, PRINT, NOPS
};
static const char *const op_names[NOPS] = {
    "halt", "push", "pop", "dup", "swap", "over", "add", "sub", "mul", "div",
    "mod", "neg", "and", "or", "xor", "shl", "shr", "not", "eq", "ne", "lt",
    "le", "gt", "ge", "jmp", "jz", "jnz", "load", "store", "inc", "gload",
    "gstore", "call", "ret", "arg", "print"};
/* number of immediate operands of each opcode */
static const int op_args[NOPS] = {
    [PUSH] = 1, [JMP] = 1, [JZ] = 1, [JNZ] = 1, [LOAD] = 1, [STORE] = 1,
    [INC] = 2, [CALL] = 2, [ARG] = 1};

static const char program[] =
    "        arg 0  store 0\n"
    "        load 0  call sieve 1  print\n"
    "        push 90  call fib 1  print\n"
    "        arg 1  call rfib 1  print\n"
    "        arg 2  call collatz 1  print\n"
    "        load 0  call sumloop 1  print  print\n"
    "        push 1071  push 462  call gcd 2  neg  print\n"
    "        halt\n"
    "; sieve(n): heap[i] != 0 marks composites; returns the prime count\n"
    "sieve:  push 0 store 1  push 2 store 2\n"
    "s_loop: load 2 load 0 lt jz s_done\n"
    "        load 2 gload jnz s_next\n"
    "        inc 1 1\n"
    "        load 2 load 2 mul store 3\n"
    "m_loop: load 3 load 0 lt jz s_next\n"
    "        push 1 load 3 gstore\n"
    "        load 3 load 2 add store 3  jmp m_loop\n"
    "s_next: inc 2 1  jmp s_loop\n"
    "s_done: load 1 ret\n"
    "fib:    push 0 store 1  push 1 store 2\n"
    "f_loop: load 0 jz f_done\n"
    "        load 1 load 2 add  load 2 store 1  store 2\n"
    "        load 0 push 1 sub store 0  jmp f_loop\n"
    "f_done: load 1 ret\n"
    "rfib:   load 0 push 2 lt jz r_rec  load 0 ret\n"
    "r_rec:  load 0 push 1 sub call rfib 1\n"
    "        load 0 push 2 sub call rfib 1  add ret\n"
    "; collatz(limit): longest chain length for start values 1..limit\n"
    "collatz: push 1 store 1  push 0 store 2\n"
    "c_outer: load 1 load 0 gt jnz c_done\n"
    "        load 1 store 3  push 0 store 4\n"
    "c_inner: load 3 push 1 le jnz c_end\n"
    "        load 3 push 1 and jz c_even\n"
    "        load 3 push 3 mul push 1 add store 3  jmp c_step\n"
    "c_even: load 3 push 2 div store 3\n"
    "c_step: inc 4 1  jmp c_inner\n"
    "c_end:  load 4 load 2 over over gt jz c_keep\n"
    "        pop jmp c_set\n"
    "c_keep: swap pop\n"
    "c_set:  store 2  inc 1 1  jmp c_outer\n"
    "c_done: load 2 ret\n"
    "; sumloop(n): prints sum of multiples of 3 or 5 below n, returns a mix\n"
    "sumloop: push 0 store 1  push 0 store 2  push 0 store 3\n"
    "u_loop: load 3 load 0 ge jnz u_done\n"
    "        load 3 push 3 mod push 0 eq  load 3 push 5 mod not  or jz u_skip\n"
    "        load 1 load 3 add store 1\n"
    "u_skip: load 2 dup push 5 shl swap sub\n"
    "        load 3 dup mul  load 3 push 3 shr  xor  add\n"
    "        push 1000000007 mod store 2\n"
    "        inc 3 1  jmp u_loop\n"
    "u_done: load 1 load 2 ret\n"
    "gcd:    load 1 push 0 ne jz g_done\n"
    "        load 0 load 1 mod  load 1 store 0  store 1  jmp gcd\n"
    "g_done: load 0 ret\n";

#define MAX_CODE 1024
#define MAX_LABELS 64
#define STACK 256
#define FRAMES 128
#define LOCALS 8

static int32_t code[MAX_CODE];
static int ncode;
static struct { char name[16]; int addr; } labels[MAX_LABELS];
static int nlabels;

static int is_space(char c) { return c == ' ' || c == '\n' || c == '\t'; }

static void die(const char *msg, const char *detail)
{
    fprintf(stderr, "interp: %s%s\n", msg, detail);
    exit(1);
}

/* Reads the next whitespace-separated token, skipping ';' comments. */
static const char *next_token(const char *p, char *tok, size_t cap)
{
    for (;;) {
        while (is_space(*p)) p++;
        if (*p != ';') break;
        while (*p && *p != '\n') p++;
    }
    size_t n = 0;
    while (*p && !is_space(*p)) {
        if (n + 1 >= cap) die("token too long", "");
        tok[n++] = *p++;
    }
    tok[n] = '\0';
    return p;
}

static int32_t parse_int(const char *s)
{
    int neg = *s == '-';
    int64_t v = 0;
    for (s += neg; *s; s++) {
        if (*s < '0' || *s > '9' || v > INT32_MAX) die("bad number", "");
        v = v * 10 + (*s - '0');
    }
    if (v > INT32_MAX) die("bad number", "");
    return (int32_t)(neg ? -v : v);
}

static int find_label(const char *name)
{
    for (int i = 0; i < nlabels; i++)
        if (strcmp(labels[i].name, name) == 0)
            return labels[i].addr;
    return -1;
}

/* One pass; references to labels not yet defined are patched at the end. */
static void assemble(const char *src)
{
    static struct { int at; char name[16]; } fix[MAX_LABELS * 4];
    int nfix = 0;
    const char *p = src;
    char tok[32];
    ncode = 0;
    while (*(p = next_token(p, tok, sizeof tok)) || tok[0]) {
        size_t len = strlen(tok);
        if (tok[len - 1] == ':') {
            if (nlabels == MAX_LABELS || len > sizeof labels[0].name) die("bad label ", tok);
            memcpy(labels[nlabels].name, tok, len - 1);
            labels[nlabels].name[len - 1] = '\0';
            labels[nlabels++].addr = ncode;
            continue;
        }
        int op = 0;
        while (op < NOPS && (op_names[op][0] != tok[0] || strcmp(op_names[op], tok) != 0))
            op++;
        if (op == NOPS) die("unknown opcode ", tok);
        if (ncode + 3 > MAX_CODE) die("program too large", "");
        code[ncode++] = op;
        for (int a = 0; a < op_args[op]; a++) {
            p = next_token(p, tok, sizeof tok);
            if ((tok[0] >= '0' && tok[0] <= '9') || tok[0] == '-') {
                code[ncode++] = parse_int(tok);
            } else if ((code[ncode] = find_label(tok)) >= 0) {
                ncode++;
            } else {
                if (nfix == (int)(sizeof fix / sizeof fix[0]) || strlen(tok) >= sizeof fix[0].name)
                    die("bad label reference ", tok);
                fix[nfix].at = ncode++;
                strcpy(fix[nfix++].name, tok);
            }
        }
    }
    for (int i = 0; i < nfix; i++)
        if ((code[fix[i].at] = find_label(fix[i].name)) < 0)
            die("undefined label ", fix[i].name);
}

typedef struct { int ret_pc; int64_t local[LOCALS]; } Frame;

/* Runs the assembled program; PRINT values go to out[]. Returns VM steps. */
static long long run(const int64_t *args, uint8_t *heap, int64_t heap_size,
                     int64_t *out, int *nout)
{
    static int64_t st[STACK];
    static Frame fr[FRAMES];
    int sp = 0, fp = 0, pc = 0;
    long long steps = 0;
    int64_t a, b;
    memset(&fr[0], 0, sizeof fr[0]);
    for (;;) {
        steps++;
        switch (code[pc++]) {
        case HALT: return steps;
        case PUSH: st[sp++] = code[pc++]; break;
        case POP: sp--; break;
        case DUP: st[sp] = st[sp - 1]; sp++; break;
        case SWAP: a = st[sp - 1]; st[sp - 1] = st[sp - 2]; st[sp - 2] = a; break;
        case OVER: st[sp] = st[sp - 2]; sp++; break;
        case ADD: sp--; st[sp - 1] += st[sp]; break;
        case SUB: sp--; st[sp - 1] -= st[sp]; break;
        case MUL: sp--; st[sp - 1] *= st[sp]; break;
        case DIV:
        case MOD:
            b = st[--sp];
            if (b == 0) die("division by zero", "");
            st[sp - 1] = code[pc - 1] == DIV ? st[sp - 1] / b : st[sp - 1] % b;
            break;
        case NEG: st[sp - 1] = -st[sp - 1]; break;
        case AND: sp--; st[sp - 1] &= st[sp]; break;
        case OR: sp--; st[sp - 1] |= st[sp]; break;
        case XOR: sp--; st[sp - 1] ^= st[sp]; break;
        case SHL: sp--; st[sp - 1] = (int64_t)((uint64_t)st[sp - 1] << (st[sp] & 63)); break;
        case SHR: sp--; st[sp - 1] >>= (st[sp] & 63); break;
        case NOT: st[sp - 1] = !st[sp - 1]; break;
        case EQ: sp--; st[sp - 1] = st[sp - 1] == st[sp]; break;
        case NE: sp--; st[sp - 1] = st[sp - 1] != st[sp]; break;
        case LT: sp--; st[sp - 1] = st[sp - 1] < st[sp]; break;
        case LE: sp--; st[sp - 1] = st[sp - 1] <= st[sp]; break;
        case GT: sp--; st[sp - 1] = st[sp - 1] > st[sp]; break;
        case GE: sp--; st[sp - 1] = st[sp - 1] >= st[sp]; break;
        case JMP: pc = code[pc]; break;
        case JZ: pc = st[--sp] == 0 ? code[pc] : pc + 1; break;
        case JNZ: pc = st[--sp] != 0 ? code[pc] : pc + 1; break;
        case LOAD: st[sp++] = fr[fp].local[code[pc++]]; break;
        case STORE: fr[fp].local[code[pc++]] = st[--sp]; break;
        case INC: fr[fp].local[code[pc]] += code[pc + 1]; pc += 2; break;
        case GLOAD:
            a = st[sp - 1];
            if (a < 0 || a >= heap_size) die("heap read out of range", "");
            st[sp - 1] = heap[a];
            break;
        case GSTORE:
            a = st[--sp];
            if (a < 0 || a >= heap_size) die("heap write out of range", "");
            heap[a] = (uint8_t)st[--sp];
            break;
        case CALL: {
            int target = code[pc], nargs = code[pc + 1];
            if (fp + 1 == FRAMES) die("call stack overflow", "");
            Frame *f = &fr[++fp];
            memset(f->local, 0, sizeof f->local);
            f->ret_pc = pc + 2;
            for (int i = nargs - 1; i >= 0; i--)
                f->local[i] = st[--sp];
            pc = target;
            break;
        }
        case RET:
            pc = fr[fp--].ret_pc;
            break;
        case ARG: st[sp++] = args[code[pc++]]; break;
        case PRINT: out[(*nout)++] = st[--sp]; break;
        default: die("bad opcode", "");
        }
    }
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 40000;
    if (n < 2 || n > 100000000) {
        fprintf(stderr, "interp: N must be between 2 and 100000000\n");
        return 1;
    }
    const char *tag = getenv("REFUTE_WORKLOAD_TAG");
    if (tag)
        printf("tag: %s\n", tag);

    assemble(program);
    int64_t args[3] = {n, n < 1000 ? 8 : 20, n / 100 + 1};
    uint8_t *heap = calloc((size_t)n, 1);
    if (!heap) die("out of memory", "");
    int64_t out[16];
    int nout = 0;
    long long steps = run(args, heap, n, out, &nout);
    free(heap);
    if (nout != 7) die("unexpected number of results", "");

    printf("code: %d words, %d labels\n", ncode, nlabels);
    printf("primes below %ld: %lld\n", n, (long long)out[0]);
    printf("fib(90): %lld\n", (long long)out[1]);
    printf("rfib(%lld): %lld\n", (long long)args[1], (long long)out[2]);
    printf("collatz max steps up to %lld: %lld\n", (long long)args[2], (long long)out[3]);
    printf("mix checksum: %lld\n", (long long)out[4]);
    printf("sum of multiples of 3 or 5 below %ld: %lld\n", n, (long long)out[5]);
    printf("neg gcd(1071, 462): %lld\n", (long long)out[6]);
    printf("vm steps: %lld\n", steps);
    return 0;
}
