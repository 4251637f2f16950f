// carelake's composition root: wires standard streams into the CLI.
#include <unistd.h>

#include <iostream>

#include "carelake/cli/commands.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  carelake::cli::Io io{std::cin, std::cout, std::cerr, isatty(STDOUT_FILENO) == 1};
  return carelake::cli::RunCli(argc, argv, io);
}
