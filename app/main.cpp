#include "application.h"

int main(int argc, char *argv[])
{
    return cachescope::runApplication(argc, argv);
}
