/* comment_table: a placeholder until the mapping tests are written. */
int main(void) { return 0; }
