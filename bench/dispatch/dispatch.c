/* The interpreter's dispatch shape in C, as a floor for what one dispatched instruction costs on
 * a machine: 32-byte instructions (handler pointer, four int operands, a 64-bit immediate), each
 * handler a separate function that reads its operands from 8-byte frame slots, writes its result
 * and returns the next instruction; the loop calls handlers until one returns NULL. The program
 * runs the same instructions as WasmKiln lowers adds.wat to: 10,000,000 iterations of 64
 * `slot += 1` over 8 slots, the counter decrement and the loop branch, i.e. 660,000,000
 * dispatches. Built and timed by run.sh. */
#include <stdint.h>
#include <stdio.h>

typedef struct Inst Inst;
typedef struct { uint64_t *fp; } Machine;
struct Inst { Inst *(*h)(Inst *, Machine *); int a, b, c, d; int64_t k; };

__attribute__((noinline)) static Inst *add_k(Inst *ip, Machine *m) {
    uint64_t *fp = m->fp;
    *(int32_t *)(fp + ip->a) = *(int32_t *)(fp + ip->b) + (int32_t)ip->k;
    return ip + 1;
}

__attribute__((noinline)) static Inst *br_if_nz(Inst *ip, Machine *m) {
    return *(int32_t *)(m->fp + ip->b) != 0 ? ip + ip->d : ip + 1;
}

__attribute__((noinline)) static Inst *stop(Inst *ip, Machine *m) { (void)ip; (void)m; return NULL; }

int main(void) {
    static Inst code[67];
    uint64_t slots[16] = {0};
    Machine m = { slots };
    for (int i = 0; i < 64; i++) {
        code[i].h = add_k;
        code[i].a = code[i].b = 1 + i % 8;
        code[i].k = 1;
    }
    code[64].h = add_k; /* the loop counter: slot 0 -= 1 */
    code[64].k = -1;
    code[65].h = br_if_nz;
    code[65].d = -65;
    code[66].h = stop;
    slots[0] = 10000000;
    Inst *ip = code;
    do ip = ip->h(ip, &m); while (ip);
    printf("%d\n", (int32_t)slots[1]);
    return 0;
}
