/* placeholder: replaced by the executor work (sandbox init) */
int main(void) { return 0; }
