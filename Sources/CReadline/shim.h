// stdio.h first: readline.h uses FILE without including it.
#include <stdio.h>
#include <signal.h>
#include <poll.h>
#include <readline/readline.h>
#include <readline/history.h>

// Setters for readline's globals, so Swift 6 strict concurrency never touches them directly.
static inline void gfs_set_completion(rl_completion_func_t *function) {
    rl_attempted_completion_function = function;
    rl_completion_append_character = ' ';
}
static inline void gfs_no_default_completion(void) { rl_attempted_completion_over = 1; }
static inline const char *gfs_line_buffer(void) { return rl_line_buffer; }
static inline void gfs_suppress_append(void) { rl_completion_append_character = '\0'; }

// Ctrl-C: the signal handler only sets a flag (all it may safely do, on whatever thread gets the signal);
// the thread reading the line sees it within 100 ms and drops the line itself, through readline's callback
// interface, so readline is only ever touched by that one thread.
static volatile sig_atomic_t gfs_interrupted = 0;
static char *gfs_line = NULL;
static int gfs_line_done = 0;

static void gfs_on_interrupt(int signal_number) { (void)signal_number; gfs_interrupted = 1; }

static void gfs_line_handler(char *line) {
    gfs_line = line;
    gfs_line_done = 1;
    rl_callback_handler_remove();
}

static inline void gfs_catch_interrupts(void) {
    rl_catch_signals = 0;
    signal(SIGINT, gfs_on_interrupt);
}

// Reads one line with editing, history and completion; NULL at end of input (Ctrl-D).
static inline char *gfs_readline(const char *prompt) {
    gfs_line = NULL;
    gfs_line_done = 0;
    gfs_interrupted = 0;
    rl_callback_handler_install(prompt, gfs_line_handler);
    while (!gfs_line_done) {
        struct pollfd input = { .fd = 0, .events = POLLIN, .revents = 0 };
        int ready = poll(&input, 1, 100);
        if (gfs_interrupted) {
            gfs_interrupted = 0;
            rl_free_line_state();
            rl_callback_sigcleanup();
            rl_crlf();
            rl_callback_handler_remove();
            rl_callback_handler_install(prompt, gfs_line_handler);
            continue;
        }
        if (ready > 0) rl_callback_read_char();
    }
    return gfs_line;
}

// Whether Ctrl-C was pressed since the last call (while a command runs, not at the prompt).
static inline int gfs_take_interrupt(void) {
    int was = gfs_interrupted;
    gfs_interrupted = 0;
    return was;
}
