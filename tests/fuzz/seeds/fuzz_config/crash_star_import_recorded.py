from superset.coofig import *
