from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("supervision/", views.OrderListView.as_view(), name="list"),
    path("supervision/new/", views.order_new, name="new"),
    path("supervision/<int:pk>/", views.order_detail, name="detail"),
    path("supervision/<int:pk>/reply/", views.order_reply, name="reply"),
    path("supervision/<int:pk>/urge/", views.order_urge, name="urge"),
    path("supervision/<int:pk>/close/", views.order_close, name="close"),
    path("supervision/problems/", views.ProblemListView.as_view(), name="problems"),
    path("supervision/problems/<int:pk>/resolve/", views.problem_resolve, name="problem_resolve"),
    path("todo/", views.todo, name="todo"),
]
